package dev.memtune.data;

import java.util.List;

/**
 * A task's examples split by a {@link Protocol}: train on {@code train}, select checkpoints and
 * hyper-parameters on {@code validation}, report {@code test}. Each list keeps file order.
 *
 * @param description how the three lists were made, e.g.
 *                    {@code "LST: validation = 1000 of train (seed 42), train = the other 66349, test = dev"}
 */
public record TaskData(Task task, Protocol protocol, long seed, List<Example> train, List<Example> validation,
                       List<Example> test, String description) {
    public TaskData {
        train = List.copyOf(train);
        validation = List.copyOf(validation);
        test = List.copyOf(test);
    }

    /** The list for {@code "train"}, {@code "validation"} or {@code "test"}. */
    public List<Example> split(String name) {
        return switch (name) {
            case "train" -> train;
            case "validation" -> validation;
            case "test" -> test;
            default -> throw new IllegalArgumentException("unknown split '" + name + "' (train, validation, test)");
        };
    }
}
