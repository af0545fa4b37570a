/**
 * Cosine decay per step from `peak` to 3 % of it: large steps early, small ones to settle at the end, so the
 * last epoch is a good one to keep (a constant rate leaves the weights wandering around the minimum; a step
 * decay per epoch cost about half a point of MNIST test accuracy in bench:distill).
 */
export function cosineLearningRate(peak: number, step: number, totalSteps: number): number {
  const t = totalSteps <= 1 ? 0 : Math.min(1, step / (totalSteps - 1));
  return peak * (0.03 + 0.97 * 0.5 * (1 + Math.cos(Math.PI * t)));
}

/** tfjs optimizers keep their rate in a field that their typings do not expose. */
export function setLearningRate(optimizer: object, rate: number): void {
  (optimizer as { learningRate: number }).learningRate = rate;
}
