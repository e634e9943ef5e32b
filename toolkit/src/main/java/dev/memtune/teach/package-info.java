/**
 * Self-checking exercises for the lessons in {@code notebooks/lessons/}: {@link dev.memtune.teach.Exercise#check}
 * runs a student's code against a reference and prints one verdict line that starts with ✅ or ❌,
 * with a hint saying what is wrong (a shape, a scaling factor, an initialisation, a sign) and never a
 * stack trace. A student's mistake, an exception thrown by the student's code, or an exercise not yet
 * filled in is a ❌ verdict, not a cell error. Depends on DJL's NDArray only: nothing of the toolkit
 * above it.
 */
package dev.memtune.teach;
