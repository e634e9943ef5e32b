"""Jupyter's kernel conformance suite (jupyter_kernel_test) against the installed memtune kernel.

Test-only: run by reproduce/test.d/kernel.sh with Debian's /usr/bin/python3 and
python3-jupyter-kernel-test; the kernel itself is pure Java.
"""
import unittest

import jupyter_kernel_test


class MemtuneKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "memtune"
    language_name = "java"
    file_extension = ".jshell"

    code_hello_world = 'System.out.println("hello, world");'
    code_stderr = 'System.err.println("oops");'
    code_generate_error = 'throw new IllegalStateException("boom");'
    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": '"memtune".length()', "result": "7"},
        {"code": "Math.max(3, 9)", "result": "9"},
    ]
    code_display_data = [
        {"code": "%%memory\nint[] a = new int[10];", "mime": "text/html"},
        {"code": 'Display.show(Table.create("t", IntColumn.create("x", 1, 2)));', "mime": "text/html"},
    ]
    completion_samples = [
        {"text": "Math.ab", "matches": {"abs(", "absExact("}},
        {"text": "Integer.parseI", "matches": {"parseInt("}},
        {"text": "%%tim", "matches": {"%%time"}},
        {"text": "%mav", "matches": {"%maven", "%mavenRepo"}},
    ]
    complete_code_samples = ["int x = 1;", "6 * 7", "for (int i = 0; i < 3; i++) { x += i; }", "%classpath /tmp"]
    incomplete_code_samples = ["for (int i = 0; i < 3; i++) {", "int y = ", 'String s = "abc" +']
    invalid_code_samples = ["int x = 1 +* 2;", "}"]
    code_inspect_sample = "Math.abs"
    code_page_something = "%doc Math.abs"
    supported_history_operations = ("tail", "range", "search")
    code_history_pattern = "Math.max*"
    code_clear_output = 'System.out.println("gone"); Display.clear();'


if __name__ == "__main__":
    unittest.main(verbosity=2)
