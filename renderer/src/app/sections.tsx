import type { ComponentType } from 'react';
import {
  BenchmarkIcon,
  DeployIcon,
  FleetIcon,
  HistoryIcon,
  ModelsIcon,
  OptimizeIcon,
} from '../components/icons';

/** The whole product loop in the navbar, built or not, so people see where each step will live. */
export type Section = {
  path: string;
  label: string;
  icon: ComponentType<{ size?: number }>;
  built: boolean;
  /** For pages not built yet: what the page will do. */
  plan: string;
};

export const sections: readonly Section[] = [
  {
    path: 'models',
    label: 'Models',
    icon: ModelsIcon,
    built: true,
    plan: 'Import ONNX models and inspect their inputs, operators, parameters and compute cost.',
  },
  {
    path: 'optimize',
    label: 'Optimize',
    icon: OptimizeIcon,
    built: true,
    plan: 'Make smaller, faster variants of a model — dynamic and static quantization, FP16, pruning and distillation — each with a fidelity report against the original.',
  },
  {
    path: 'benchmark',
    label: 'Benchmark',
    icon: BenchmarkIcon,
    built: true,
    plan: 'Measure latency, throughput and memory of every variant locally, against hardware profiles, and on real devices over SSH.',
  },
  {
    path: 'fleet',
    label: 'Fleet',
    icon: FleetIcon,
    built: true,
    plan: 'Keep an inventory of your edge devices: add them over SSH, trust their host keys, and probe CPU, memory and runtime.',
  },
  {
    path: 'deploy',
    label: 'Deploy',
    icon: DeployIcon,
    built: true,
    plan: 'Review a deploy plan (devices, steps, exact remote commands), then ship the chosen variant in one click with an atomic switch.',
  },
  {
    path: 'history',
    label: 'History',
    icon: HistoryIcon,
    built: true,
    plan: 'See what runs where: every deployment with its lineage, drift checks against the devices, and one-click rollback.',
  },
];
