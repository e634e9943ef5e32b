package dev.memtune.nn;

import ai.djl.ndarray.NDArray;

/**
 * A named tensor of a {@link Module}: its value lives in the owning module's manager. Trainable
 * parameters record gradients; frozen ones never do (they are constants to the autograd graph).
 */
public final class Param {
    private final String name;
    private NDArray data;
    private boolean trainable;
    private boolean ownsStorage;                       // data's storage is torch's own (a copy made by clearGrad)

    Param(String name, NDArray data) {
        this.name = name;
        this.data = data;
        this.trainable = false;
    }

    /** The local name, e.g. {@code weight}; full names come from {@link Module#namedParams()}. */
    public String name() { return name; }

    public NDArray data() { return data; }

    public boolean trainable() { return trainable; }

    public long numel() { return data.getShape().size(); }

    /** Turns gradient recording on or off for this parameter. */
    public void setTrainable(boolean on) {
        if (on == trainable) return;
        trainable = on;
        data.setRequiresGradient(on);
    }

    /**
     * The accumulated gradient, or null when frozen or before the first backward. Each call makes a
     * new handle on the same native tensor: call it inside an NDScope or close it.
     */
    public NDArray grad() {
        // the JNI call returns null while no backward reached this parameter; DJL's own getGradient()
        // would allocate zeros instead (a leak per call, and weight decay on parameters the loss never used)
        return trainable ? ai.djl.pytorch.jni.JniUtils.getGradient((ai.djl.pytorch.engine.PtNDArray) data) : null;
    }

    /**
     * Zeros the gradient in place (DJL accumulates gradients across collectors): one native call,
     * PyTorch's {@code grad.zero_()} under no-grad, like {@code zero_grad(set_to_none=False)}; nothing
     * when no backward has reached this parameter yet.
     */
    public void zeroGrad() {
        if (trainable) ai.djl.pytorch.jni.JniUtils.zeroGrad((ai.djl.pytorch.engine.PtNDArray) data);
    }

    /**
     * Drops the gradient, PyTorch's {@code zero_grad(set_to_none=True)}: the value is re-wrapped in a new
     * tensor on the same storage that has no {@code .grad}, and the old wrapper (with its gradient) is
     * freed. The next backward hands its gradient over instead of adding it to a buffer of zeros: the
     * gradients take no memory before the backward, one add per parameter less, and the values are
     * bitwise those of {@link #zeroGrad()} ({@code 0 + g == g}). Whoever holds {@link #data()} from
     * before holds a closed array: read it again after this.
     */
    public void clearGrad() {
        if (!trainable) return;
        // torch detach(): same storage, no autograd state. The first time, a copy into memory torch owns: a
        // value made from a Java buffer (weights read from files) lives in that buffer, which only the old
        // wrapper keeps reachable; once it is closed the GC would free the storage under the parameter.
        NDArray fresh = ownsStorage ? data.stopGradient() : detachedCopy(data);
        ownsStorage = true;
        ai.djl.ndarray.NDScope.unregister(fresh);       // lives as long as the parameter, not the caller's scope
        fresh.setRequiresGradient(true);
        NDArray old = data;
        data = fresh;
        old.close();
    }

    private static NDArray detachedCopy(NDArray x) {
        try (NDArray d = x.stopGradient()) { return d.duplicate(); }
    }

    /**
     * Replaces the value (same shape required), keeping the trainable flag. The old value is
     * closed.
     */
    public void set(NDArray value) {
        if (!value.getShape().equals(data.getShape()))
            throw new IllegalArgumentException("parameter " + name + ": shape " + value.getShape() + " does not match " + data.getShape());
        NDArray old = data;
        value.attach(old.getManager());
        boolean t = trainable;
        trainable = false;
        data = value;
        ownsStorage = false;
        old.close();
        if (t) setTrainable(true);
    }
}
