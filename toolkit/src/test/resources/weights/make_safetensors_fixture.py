"""Generates the safetensors fixtures read by SafeTensorsTest (run once, outputs are committed).

    pip install safetensors numpy
    python3 make_safetensors_fixture.py

Writes, next to this script:
  python_fixture.safetensors  F32 / F16 / F64 tensors + __metadata__, saved by the reference library
  python_fixture.json         the same values as numpy decodes them to float32 (expected values for Java)
  python_f32.safetensors      F32-only file, to check that the Java writer reproduces it byte for byte
  python_int64.safetensors    an I64 tensor (Java must reject it naming the tensor)
"""
import json
import os

import numpy as np
import safetensors
from safetensors.numpy import save_file

here = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20240601)

tensors = {
    "encoder.layer.0.attention.self.query.weight": rng.standard_normal((3, 4)).astype(np.float32),
    "embeddings.LayerNorm.bias": np.array([0.0, -0.0, 1e-8, 3.5, -65504.0, 65520.0], dtype=np.float32),
    "half": (rng.standard_normal((2, 3, 2)) * 10).astype(np.float16),
    "half_specials": np.array([1.0, -2.0, 65504.0, 6e-8, 0.333, np.inf, -np.inf], dtype=np.float16),
    "double": rng.standard_normal(5).astype(np.float64),
    "scalar": np.array(7.25, dtype=np.float32),
    "empty": np.zeros((0, 3), dtype=np.float32),
}
meta = {"format": "pt", "source": "make_safetensors_fixture.py"}
save_file(tensors, os.path.join(here, "python_fixture.safetensors"), metadata=meta)
expected = {
    "safetensors_version": safetensors.__version__,
    "metadata": meta,
    "tensors": {k: {"shape": list(v.shape), "values": [float(x) if np.isfinite(x) else str(x) for x in v.astype(np.float32).ravel()]}
                for k, v in tensors.items()},
}
with open(os.path.join(here, "python_fixture.json"), "w") as f:
    json.dump(expected, f, indent=1)

f32 = {"b.weight": rng.standard_normal((2, 3)).astype(np.float32), "a.bias": rng.standard_normal(3).astype(np.float32),
       "c": np.arange(5, dtype=np.float32)}
save_file(f32, os.path.join(here, "python_f32.safetensors"), metadata={"k": "v"})
save_file({"embeddings.position_ids": np.arange(8, dtype=np.int64).reshape(1, 8)}, os.path.join(here, "python_int64.safetensors"))
