export { pruneChannelsPass, pruneChannels, parsePruneChannelsConfig, totalMacs } from './prune-channels';
export { pruneWeightsPass, pruneWeights } from './prune-weights';
export { compressedSizes, type CompressedSizes } from './compressed-size';
export { analyzeChannels, type ChannelGraph } from './channel-graph';
