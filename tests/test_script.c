/* The Python subset of Keras scripts: def, for, if, comprehensions, f-strings, % and str.format, the builtins, lists
 * and dicts, unpacking; what is outside it and the evaluator's limits, each an error with its place. The expected
 * values are CPython 3.11's: each case's expression was evaluated by Python after its prelude (str() of it), and the
 * script here makes it a layer's name. Models written in this style are checked against real Keras in
 * test_keras_files (tests/models/keras_files/xception.py, resnet_builder.py, unet.py, branch_comp.py). */
#include "helpers.h"

#include <criterion/parameterized.h>

struct py_case { /* (inline: Criterion copies a case into the process that runs it) */
    char prelude[320], expr[320], want[160];
};

static struct py_case py_cases[] = {
    {"",
     "f'{3:03d}_{7:>4}_{2.5:.2f}_{\"ab\":<3}|'",
     "003_   7_2.50_ab |"},
    {"",
     "'%s_%d_%05.1f_%x_%r' % ('a', 7, 3.14159, 255, 'q')",
     "a_7_003.1_ff_'q'"},
    {"",
     "'{}-{}-{k}'.format(4, 5, k='z') + '{0}{1:02d}{0}'.format(6, 7)",
     "4-5-z6076"},
    {"",
     "'_'.join(str(i) for i in range(4))",
     "0_1_2_3"},
    {"",
     "str([len('abc'), min(3, 5), max([1, 7, 2]), round(2.5), round(3.5), int('12'), abs(-3), sum([1, 2, 3]), int(7.9), float(2)])",
     "[3, 3, 7, 2, 4, 12, 3, 6, 7, 2.0]"},
    {"",
     "str(list(zip([1, 2, 3], 'ab')))",
     "[(1, 'a'), (2, 'b')]"},
    {"",
     "str(list(enumerate('xy', start=1)))",
     "[(1, 'x'), (2, 'y')]"},
    {"",
     "str(list(reversed(range(1, 10, 3))))",
     "[7, 4, 1]"},
    {"",
     "str([x * y for x in range(3) for y in (1, 10) if x != 1])",
     "[0, 0, 2, 20]"},
    {"",
     "str({k: v for k, v in [('a', 1), ('b', 2)]})",
     "{'a': 1, 'b': 2}"},
    {"",
     "str((1, 2, 3)[::-1] + (4,)[:1] + tuple('ab'))",
     "(3, 2, 1, 4, 'a', 'b')"},
    {"",
     "str([1, 2, 3, 4, 5][1:-1:2])",
     "[2, 4]"},
    {"",
     "'abcdef'[-3:]",
     "def"},
    {"",
     "str(1 < 2 <= 2 != 3 and not None)",
     "True"},
    {"",
     "str(0 or '' or [] or 'last')",
     "last"},
    {"",
     "str(3 if 2 > 1 else 4) + ('y' if 'b' in 'abc' else 'n')",
     "3y"},
    {"",
     "str([1.0, 0.1, 1e-05, 1.5e+20, 2 / 3, 10 // 3, -7 // 2, -7 % 3, 2 ** 10])",
     "[1.0, 0.1, 1e-05, 1.5e+20, 0.6666666666666666, 3, -4, 2, 1024]"},
    {"def f(a, b=2, *args, **kw):\n    return '%s.%s.%s.%s' % (a, b, args, sorted(kw))\n",
     "f(1) + '|' + f(1, 3, 4, 5, z=1, y=2)",
     "1.2.().[]|1.3.(4, 5).['y', 'z']"},
    {"def outer(n):\n    def inner(k):\n        return n * k\n    return inner(3)\n",
     "str(outer(5))",
     "15"},
    {"xs = []\nfor i in range(10):\n    if i % 2:\n        continue\n    if i > 6:\n        break\n    xs.append(i)\nxs.extend([9])\nxs.insert(0, -1)\n",
     "str(xs) + str(xs.pop()) + str(xs.index(4)) + str(len(xs))",
     "[-1, 0, 2, 4, 6, 9]935"},
    {"n = 1\nn += 4\nn *= 3\nn -= 1\nn //= 2\ns = 'a'\ns += 'b' * 2\n",
     "str(n) + s",
     "7abb"},
    {"a, (b, c) = 1, (2, 3)\nt = a, b\n",
     "str([a, b, c, t])",
     "[1, 2, 3, (1, 2)]"},
    {"d = dict(a=1)\nd.update({'b': 2})\n",
     "str(sorted(d.items())) + str(d.get('c', 0)) + str(list(d.keys())) + str(isinstance(d, dict))",
     "[('a', 1), ('b', 2)]0['a', 'b']True"},
    {"def fact(n):\n    return 1 if n <= 1 else n * fact(n - 1)\n",
     "str(fact(10))",
     "3628800"},
    {"sizes = [16, 32]\nassert len(sizes) == 2, 'two'\npass\n",
     "'x'.join([str(s) for s in sizes])",
     "16x32"},
    {"",
     "'A-b'.lower() + 'c'.upper() + ' s '.strip() + str('a,b'.split(',')) + str('ab'.startswith('a')) + 'aXa'.replace('X', 'y')",
     "a-bCs['a', 'b']Trueaya"},
    {"",
     "str(any([0, 1]) and all([1, 2]) and not any([]))",
     "True"},
    {"",
     "str(bool([]) or bool('x'))",
     "True"},
    {"",
     "f'{1}{\"{}\"}{{}}{[1, 2][-1]!r}{\"q\"!r}'",
     "1{}{}2'q'"},
};

/* the prelude, then a model whose Dense layer is named str(expr) */
static char *script_of(const struct py_case *c)
{
    static char text[4096];
    snprintf(text, sizeof text, "%sx = layers.Input(shape=(4,))\nmodel = Model(x, layers.Dense(2, name=str(%s))(x))\n",
             c->prelude, c->expr);
    return text;
}

ParameterizedTestParameters(subset, values_are_pythons)
{
    return cr_make_param_array(struct py_case, py_cases, sizeof py_cases / sizeof py_cases[0]);
}

ParameterizedTest(struct py_case *c, subset, values_are_pythons)
{
    char err[1024] = "";
    clinfer_model *m = load_script(script_of(c), err, sizeof err);
    cr_assert_not_null(m, "%s\n%s", err, script_of(c));
    cr_expect_str_eq(clinfer_model_layer_name(m, 1), c->want, "%s", c->expr);
    clinfer_model_free(m);
}

/* a model built by a def with a loop and an if, a layer made trainable=False after it was called, x.shape[-1] */
Test(subset, a_builder_function)
{
    char err[1024] = "";
    clinfer_model *m = load_script("def build(widths, frozen=()):\n"
                                   "    x = inputs = layers.Input(shape=(8, 8, 3))\n"
                                   "    for i, w in enumerate(widths):\n"
                                   "        conv = layers.Conv2D(w, 3, padding='same', name=f'conv{i}')\n"
                                   "        x = conv(x)\n"
                                   "        if i in frozen:\n"
                                   "            conv.trainable = False\n"
                                   "        elif x.shape[-1] > 8:\n"
                                   "            x = layers.BatchNormalization(name='bn%d' % i)(x)\n"
                                   "    return Model(inputs, x, name='built')\n"
                                   "model = build([4, 16], frozen=(0,))\n",
                                   err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    cr_assert_eq(clinfer_model_layer_count(m), 4);
    cr_expect_str_eq(clinfer_model_layer_name(m, 1), "conv0");
    cr_expect_str_eq(clinfer_model_layer_name(m, 3), "bn1");
    int64_t non_trainable = -1;
    cr_expect_eq(clinfer_model_layer_params(m, 1, &non_trainable), 3 * 3 * 3 * 4 + 4);
    cr_expect_eq(non_trainable, 3 * 3 * 3 * 4 + 4, "conv0 was made non-trainable");
    clinfer_model_free(m);
}

struct err_case {
    char script[1024], message[200];
};

/* 16 lists of a million items, in one expression */
#define XS4 "xs + xs, xs + xs, xs + xs, xs + xs, "
#define XS16 XS4 XS4 XS4 XS4

static struct err_case err_cases[] = {
    /* outside the subset */
    {"while True:\n    pass\n", "model.py:1:1: 'while' is outside the Python subset clinfer reads"},
    {"class Net(keras.Model):\n    pass\n", "model.py:1:1: 'class' is outside the Python subset clinfer reads"},
    {"f = lambda x: x\n", "model.py:1:5: 'lambda' is outside the Python subset clinfer reads"},
    {"with open('a') as f:\n    pass\n", "model.py:1:1: 'with' is outside the Python subset"},
    {"try:\n    pass\nexcept Exception:\n    pass\n", "model.py:1:1: 'try' is outside the Python subset"},
    {"@tf.function\ndef f(x):\n    return x\n", "model.py:1:1: decorators are outside the Python subset"},
    {"x = layers.Input(shape=(4,))\nx.foo = 3\n", "model.py:2:1: assigning to the attribute 'foo' is outside the subset"},
    {"xs = [1]\nxs[0] = 2\n", "model.py:2:1: assigning to an item (x[i] = ...) is outside the subset"},
    {"s = {1, 2}\n", "model.py:1:7: sets are outside the Python subset"},
    {"for i in range(3):\n    pass\nelse:\n    pass\n", "model.py:3:1: 'else' is outside the Python subset clinfer reads"},
    {"from mylib import block\nx = layers.Input(shape=(4,))\ny = block(x)\n",
     "model.py:3:5: 'block' comes from a module clinfer does not read, and is called on a tensor"},
    {"import keras\nm = keras.applications.ResNet50(weights=None)\n",
     "model.py:2:5: keras.applications.ResNet50(...) builds a model clinfer does not have the code of: save it in Keras"},
    /* syntax */
    {"def f(x):\nreturn x\n", "model.py:2:1: expected an indented block, found 'return'"},
    {"if True:\n        x = 1\n    y = 2\n", "model.py:3:5: unindent does not match any outer indentation level"},
    {"return 3\n", "model.py:1:1: 'return' outside a function"},
    {"break\n", "model.py:1:1: 'break' outside a loop"},
    {"def f(a=1, b):\n    pass\n", "model.py:1:12: parameter 'b' without a default follows one with a default"},
    {"def f(a, a):\n    pass\n", "model.py:1:10: duplicate parameter 'a'"},
    {"x = f'{}'\n", "model.py:1:7: f-string: empty expression not allowed"},
    {"x = f'{1 +}'\n", "model.py:1:11: expected an expression, found the end of the line"},
    {"x = f'a}'\n", "model.py:1:8: f-string: single '}' is not allowed"},
    {"x = [y for y in range(3), 4]\n", "model.py:1:25: expected ']', found ','"},
    {"x = [4, y for y in range(3)]\n", "model.py:1:11: a comprehension must be the only item in its brackets"},
    {"x += 1\n", "model.py:1:1: name 'x' is not defined"},
    /* at run time, with the place */
    {"def f(a, b):\n    return a\nf(1)\n", "model.py:3:1: f() missing required argument 'b'"},
    {"def f(a):\n    return a\nf(1, c=2)\n", "model.py:3:8: f() got an unexpected keyword argument 'c'"},
    {"def f(a):\n    return a\nf(1, 2)\n", "model.py:3:1: f() takes 1 positional argument but more were given"},
    {"a, b = 1, 2, 3\n", "model.py:1:1: too many values to unpack (expected 2, got 3)"},
    {"for a, b in [1]:\n    pass\n", "model.py:1:5: 'int' object is not iterable"},
    {"x = [1, 2][5]\n", "model.py:1:12: index 5 is out of range for a list of 2"},
    {"x = {'a': 1}['b']\n", "model.py:1:14: KeyError: 'b'"},
    {"assert 1 == 2, 'sizes differ'\n", "model.py:1:1: AssertionError: sizes differ"},
    {"x = layers.Input(shape=(4,))\nif x:\n    pass\n", "model.py:2:4: the truth of a tensor is not known"},
    {"x = '%d' % 'a'\n", "model.py:1:5: %d format: a number is required, not str"},
    {"x = '{:q}'.format(1)\n", "model.py:1:5: invalid format specifier 'q'"},
    {"x = 1 < 'a'\n", "model.py:1:5: '<' not supported between instances of 'int' and 'str'"},
    {"x = [1] + (2,)\n", "model.py:1:5: can only concatenate list (not tuple) to list"},
    {"x = layers.Input(shape=(8, 8, 3))\ny = layers.CenterCrop(10, 4)(x)\n",
     "CenterCrop to 10 rows from 8: Keras resizes a smaller input, which clinfer does not yet"},
    /* limits: never a hang or exhaustion */
    {"def f(n):\n    return f(n + 1)\nf(0)\n", "model.py:2:12: calls of 'f' nested more than 100 deep"},
    {"for i in range(2000):\n    for j in range(2000):\n        pass\n", "runs more than 2000000 steps"},
    {"x = range(10 ** 9)\n", "model.py:1:5: range() of 1000000000 items is past the limit of 1000000"},
    {"x = 'ab' * 10 ** 6\n", "model.py:1:5: a str repeated 1000000 times is past the limit"},
    {"x = [0] * 10 ** 7\n", "model.py:1:5: a list repeated 10000000 times is past the limit"},
    {"xs = [1]\nfor i in range(25):\n    xs = xs + xs\n", "model.py:3:10: a list of more than 1000000 items"},
    {"s = 'x'\nfor i in range(20):\n    s = s + s\n", "model.py:3:9: a string longer than 65536 bytes"},
    {"xs = [0] * 500000\nys = [xs + xs for i in range(100)]\n", "model.py:2:7: the script's values take more than 512 MiB"},
    {"xs = [0] * 500000\nys = (" XS16 XS16 XS16 XS16 XS16 ")\n", "model.py:2:"},
};

ParameterizedTestParameters(subset, errors_name_the_place)
{
    return cr_make_param_array(struct err_case, err_cases, sizeof err_cases / sizeof err_cases[0]);
}

ParameterizedTest(struct err_case *c, subset, errors_name_the_place)
{
    char err[1024] = "";
    clinfer_model *m = load_script(c->script, err, sizeof err);
    cr_assert_null(m, "loaded:\n%s", c->script);
    cr_expect(strstr(err, c->message) != NULL, "message\n  %s\ndoes not contain\n  %s", err, c->message);
}

/* Inputs the fuzzer found (scripts/fuzz), each loading as it should; under the sanitizers (scripts/test-sanitizers)
 * a use of freed or out-of-scope memory fails them. */
Test(subset, fuzz_regressions)
{
    /* a from-import of another module's names: each name kept by the module value (it had pointed into a buffer of
     * the import's, reused by the next import) */
    char *text = read_file(CLINFER_SOURCE_DIR "/tests/data/regressions/keras-module-attr-stack-name.py");
    cr_assert_not_null(text);
    char err[1024] = "";
    clinfer_model *m = load_script(text, err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    clinfer_model_free(m);
    free(text);
}
