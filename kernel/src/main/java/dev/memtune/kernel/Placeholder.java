package dev.memtune.kernel; public final class Placeholder {}
