package dev.memtune.progress;

@FunctionalInterface
public interface ProgressListener {
    void onProgress(ProgressEvent event);
}
