"""Writes small ONNX models of the operators the exporters reach for beyond the CNN core, with ONNX Runtime's
outputs on a seeded input as the expected values (tests/test_onnx_import.c, onnx_ops_match_onnxruntime):
  gelu_mish_opset20  Conv -> Gelu (opset 20, exact) -> Mish -> Gelu (approximate='tanh')
  conv_opset22       Conv -> Relu -> MaxPool -> GlobalAveragePool at opset 22
  shape_logic        Equal, Where and Expand on constants (shape arithmetic, folded at load) feeding Mul and Reshape
  hard_swish_opset13 Conv -> x * HardSigmoid(x) (alpha 1/6: PyTorch's Hardswish before opset 14) -> Conv
  pool_include_pad   AveragePool with count_include_pad, a dilated ceil-mode MaxPool, a ceil-mode average past its pads
    python3 -m venv /tmp/onnxenv && /tmp/onnxenv/bin/pip install onnx onnxruntime numpy
    /tmp/onnxenv/bin/python tests/models/export_onnx_ops.py
"""
import os

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

here = os.path.dirname(os.path.abspath(__file__))
models = os.path.join(here, "onnx_ops")
data = os.path.join(here, "..", "data", "onnx_ops")
os.makedirs(models, exist_ok=True)
os.makedirs(data, exist_ok=True)
rng = np.random.default_rng(3)


def const(name, value):
    return helper.make_node("Constant", [], [name], value=numpy_helper.from_array(np.asarray(value), name + "_v"))


def conv_weights(cout, cin, k):
    return [numpy_helper.from_array(rng.uniform(-0.5, 0.5, (cout, cin, k, k)).astype(np.float32), "w"),
            numpy_helper.from_array(rng.uniform(-0.5, 0.5, (cout,)).astype(np.float32), "b")]


def save(name, nodes, inits, opset, shape, out_shape):
    x = helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch"] + shape)
    y = helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch"] + out_shape)
    g = helper.make_graph(nodes, name, [x], [y], initializer=inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)], producer_name="clinfer-tests")
    m.ir_version = 10
    onnx.checker.check_model(m, full_check=True)
    path = os.path.join(models, name + ".onnx")
    onnx.save(m, path)
    s = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    for batch in (1, 3):
        xin = (rng.standard_normal([batch] + shape) * 2).astype(np.float32)
        np.save(os.path.join(data, "%s_in%d.npy" % (name, batch)), xin)
        np.save(os.path.join(data, "%s_out%d.npy" % (name, batch)), s.run(None, {"input": xin})[0])
    print(path)


save("gelu_mish_opset20",
     [helper.make_node("Conv", ["input", "w", "b"], ["c"], pads=[1, 1, 1, 1]),
      helper.make_node("Gelu", ["c"], ["g"]),
      helper.make_node("Mish", ["g"], ["m"]),
      helper.make_node("Gelu", ["m"], ["output"], approximate="tanh")],
     conv_weights(4, 3, 3), 20, [3, 5, 6], [4, 5, 6])

save("conv_opset22",
     [helper.make_node("Conv", ["input", "w", "b"], ["c"], strides=[2, 2]),
      helper.make_node("Relu", ["c"], ["r"]),
      helper.make_node("MaxPool", ["r"], ["p"], kernel_shape=[2, 2]),
      helper.make_node("GlobalAveragePool", ["p"], ["output"])],
     conv_weights(5, 3, 3), 22, [3, 11, 13], [5, 1, 1])

save("shape_logic",
     [const("idx", np.array([0, 1, 2, 3], np.int64)), const("two", np.array(2, np.int64)),
      helper.make_node("Equal", ["idx", "two"], ["is2"]),
      const("big", np.array([3.0, 3.0, 3.0, 3.0], np.float32)), const("small", np.array([0.5], np.float32)),
      helper.make_node("Where", ["is2", "big", "small"], ["scale4"]),          # [0.5, 0.5, 3, 0.5]
      const("cshape", np.array([1, 4, 1, 1], np.int64)),
      helper.make_node("Expand", ["scale4", "cshape"], ["scale_e"]),           # broadcast (4,) -> (1, 4, 1, 4)
      const("one", np.array(1.0, np.float32)), const("ones_shape", np.array([1, 4, 1, 1], np.int64)),
      helper.make_node("Expand", ["one", "ones_shape"], ["ones"]),
      helper.make_node("Add", ["input", "ones"], ["x1"]),
      helper.make_node("Mul", ["x1", "scale_e"], ["x2"]),
      const("a", np.array([0, 0], np.int64)), const("b2", np.array([0, 1], np.int64)),
      helper.make_node("Equal", ["a", "b2"], ["keep"]),                        # [True, False]
      const("neg", np.array([-1, -1], np.int64)), const("flat", np.array([0, 96], np.int64)),
      helper.make_node("Where", ["keep", "neg", "flat"], ["target"]),          # [-1, 96]
      helper.make_node("Reshape", ["x2", "target"], ["output"])],
     [], 17, [4, 6, 4], [96])

save("hard_swish_opset13",
     [helper.make_node("Conv", ["input", "w", "b"], ["c"], pads=[1, 1, 1, 1]),
      helper.make_node("HardSigmoid", ["c"], ["h"], alpha=1.0 / 6.0, beta=0.5),
      helper.make_node("Mul", ["c", "h"], ["s"]),
      helper.make_node("Conv", ["s", "w2"], ["output"])],
     conv_weights(4, 3, 3) + [numpy_helper.from_array(rng.uniform(-0.5, 0.5, (2, 4, 1, 1)).astype(np.float32), "w2")],
     13, [3, 5, 6], [2, 5, 6])

# pooling in ONNX's forms that PyTorch's exporter spells otherwise (a Pad before the pool): an average counting the
# padding, a dilated max pool with unequal pads and ceil_mode, an average whose ceil_mode windows pass the padding
save("pool_include_pad",
     [helper.make_node("AveragePool", ["input"], ["a"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1],
                       count_include_pad=1),
      helper.make_node("MaxPool", ["input"], ["m"], kernel_shape=[3, 2], dilations=[2, 1], pads=[1, 0, 2, 1],
                       strides=[1, 2], ceil_mode=1),
      helper.make_node("AveragePool", ["input"], ["c"], kernel_shape=[2, 2], strides=[2, 2], pads=[0, 0, 0, 1],
                       count_include_pad=1, ceil_mode=1),
      helper.make_node("Flatten", ["a"], ["fa"]), helper.make_node("Flatten", ["m"], ["fm"]),
      helper.make_node("Flatten", ["c"], ["fc"]),
      helper.make_node("Concat", ["fa", "fm", "fc"], ["output"], axis=1)],
     [], 17, [3, 9, 11], [3 * 5 * 6 + 3 * 8 * 6 + 3 * 5 * 6])
