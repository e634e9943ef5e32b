/**
 * {@code memtune classroom}: prepares a machine for an offline class: the jars, lessons, a launcher and
 * the kernelspec in a system prefix for every user, PyTorch's native library, models and task samples
 * in a shared read-only cache, a per-user writable cache, and a per-kernel memory limit.
 */
package dev.memtune.kernel.classroom;
