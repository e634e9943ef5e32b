/**
 * BERT tokenization: {@link dev.memtune.tokenize.Tokenizer#load} picks the Hugging Face tokenizer (DJL) for a
 * {@code tokenizer.json} or the pure-Java {@link dev.memtune.tokenize.WordPieceTokenizer} for a {@code vocab.txt}.
 */
package dev.memtune.tokenize;
