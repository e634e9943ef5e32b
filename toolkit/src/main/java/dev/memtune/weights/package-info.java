/**
 * Pretrained weights as fp32 host tensors ({@link dev.memtune.weights.HostTensor}) under Hugging Face
 * {@code BertModel} state-dict names ({@link dev.memtune.weights.BertKeys}), read from safetensors
 * ({@link dev.memtune.weights.SafeTensors}, also written), ONNX exports ({@link dev.memtune.weights.OnnxWeights})
 * and TensorFlow checkpoints ({@link dev.memtune.weights.TfCheckpoint}); plus an ONNX Runtime reference forward
 * pass ({@link dev.memtune.weights.OnnxReference}). No native memory is touched here.
 */
package dev.memtune.weights;
