package dev.memtune.kernel;

import java.nio.file.Path;

/** Entry point named in kernel.json: {@code java ... dev.memtune.kernel.KernelMain CONNECTION_FILE}. */
public final class KernelMain {
    private KernelMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: KernelMain CONNECTION_FILE");
            System.exit(2);
        }
        MemtuneKernel.run(Path.of(args[0]));
        System.exit(0);
    }
}
