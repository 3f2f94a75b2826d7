/* The Keras-script front-end reads the code people write: every spelling, model form and statement form. */
#include "helpers.h"

#include <criterion/parameterized.h>

struct script_case {
    char script[700];
    char names[300]; /* the model's layers, in Keras' order, comma-separated */
};

static struct script_case cases[] = {
    /* tf.keras spellings, keyword inputs/outputs */
    {"import tensorflow as tf\n"
     "inp = tf.keras.layers.Input(shape=(28, 28, 1))\n"
     "x = tf.keras.layers.Conv2D(8, 3, activation=tf.nn.relu)(inp)\n"
     "x = tf.keras.layers.Flatten()(x)\n"
     "model = tf.keras.Model(inputs=inp, outputs=x)\n",
     "input_1,conv2d_1,flatten_1"},
    {"from tensorflow import keras\n"
     "from tensorflow.keras import layers\n"
     "inputs = keras.Input(shape=(784,), name='digits')\n"
     "x = layers.Dense(64, activation='relu', name='dense_1')(inputs)\n"
     "x = keras.layers.Dense(64, activation=keras.activations.relu, name='dense_2')(x)\n"
     "outputs = layers.Dense(10, activation='softmax', name='predictions')(x)\n"
     "model = keras.Model(inputs=inputs, outputs=outputs)\n",
     "digits,dense_1,dense_2,predictions"},
    /* bare names after imports, with aliases, parenthesised and multi-line imports */
    {"from keras.models import Sequential\n"
     "from keras.layers import (Conv2D,\n"
     "                          MaxPooling2D as Pool,\n"
     "                          Dense, Flatten)\n"
     "model = Sequential()\n"
     "model.add(Conv2D(32, kernel_size=(3, 3), activation='relu', input_shape=(28, 28, 1)))\n"
     "model.add(Pool(pool_size=(2, 2)))\n"
     "model.add(Flatten())\n"
     "model.add(Dense(10, activation='softmax'))\n",
     "conv2d_1_input,conv2d_1,max_pooling2d_1,flatten_1,dense_1"},
    {"from keras.layers import *\nfrom keras.models import *\n"
     "model = Sequential([Dense(4, input_dim=3), Activation('relu'), Dense(1)])\n",
     "dense_1_input,dense_1,activation_1,dense_2"},
    /* Sequential starting with an Input or an InputLayer; build() */
    {"model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(2)])\n", "input_1,dense_1"},
    {"model = Sequential([layers.InputLayer(input_shape=(4,)), layers.Dense(2)])\n", "input_1,dense_1"},
    {"model = Sequential(name='net')\nmodel.add(layers.Dense(3))\nmodel.add(layers.Dense(2))\n"
     "model.build((None, 5))\n",
     "dense_1_input,dense_1,dense_2"},
    /* statement forms: continuation lines, comments in brackets, backslashes, semicolons, docstrings, print */
    {"\"\"\"A model.\n\nWith a docstring.\"\"\"\n"
     "import numpy as np  # unused\n"
     "x = layers.Input(\n    shape=(8, 8, 3),  # channels last\n)\n"
     "y = layers.Conv2D(\n    filters=4,\n    kernel_size=3,\n    padding=\"same\",\n)(x); z = y\n"
     "w = layers.GlobalAveragePooling2D() \\\n    (z)\n"
     "model = Model(x, w)\n"
     "print(model.summary())\n"
     "model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss={'out': 'mse'},\n"
     "              metrics=['accuracy'])\n",
     "input_1,conv2d_1,global_average_pooling2d_1"},
    /* a layer object made first and called later; arithmetic in arguments */
    {"x = layers.Input(shape=(16,))\nhidden = layers.Dense(32 * 2 - 64 // 2)\ny = hidden(x)\n"
     "model = Model(x, y)\n",
     "input_1,dense_1"},
    /* several inputs and outputs, in lists: Keras' order by depth, then by traversal from the outputs */
    {"a = layers.Input(shape=(8,))\nb = layers.Input(shape=(4,))\n"
     "x = layers.Dense(4)(a)\ny = layers.Concatenate()([x, b])\n"
     "out1 = layers.Dense(2)(y)\nout2 = layers.Dense(3)(x)\n"
     "model = Model(inputs=[a, b], outputs=[out1, out2])\n",
     "input_1,dense_1,input_2,concatenate_1,dense_2,dense_3"},
    /* the model summarised is the one whose summary() is called */
    {"a = layers.Input(shape=(8,))\nm1 = Model(a, layers.Dense(2)(a))\n"
     "b = layers.Input(shape=(8,))\nm2 = Model(b, layers.Dense(3)(b))\n"
     "m1.summary()\n",
     "input_1,dense_1"},
    {"a = layers.Input(shape=(8,))\nm1 = Model(a, layers.Dense(2)(a))\n"
     "b = layers.Input(shape=(8,))\nm2 = Model(b, layers.Dense(3)(b))\n",
     "input_2,dense_2"},
    /* names: Keras counts per prefix; layers made but unused still take their number */
    {"x = layers.Input(shape=(8,))\nunused = layers.Dense(3)\ny = layers.Dense(4)(x)\n"
     "z = layers.Dropout(0.1)(y)\nmodel = Model(x, z)\n",
     "input_1,dense_2,dropout_1"},
    /* index into lists of tensors */
    {"ins = [layers.Input(shape=(3,)), layers.Input(shape=(3,))]\n"
     "s = layers.add(ins)\nmodel = Model(ins, s)\n",
     "input_1,input_2,add_1"},
};

ParameterizedTestParameters(frontend, reads_model_code)
{
    return cr_make_param_array(struct script_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct script_case *c, frontend, reads_model_code)
{
    char err[1024];
    clinfer_model *m = load_script(c->script, err, sizeof err);
    cr_assert_not_null(m, "%s\n---\n%s", err, c->script);
    char names[1024] = "";
    for (int i = 0; i < clinfer_model_layer_count(m); i++) {
        if (i) strcat(names, ",");
        strcat(names, clinfer_model_layer_name(m, i));
    }
    cr_expect_str_eq(names, c->names, "%s", c->script);
    clinfer_model_free(m);
}

static char *summary_of_script(const char *script, clinfer_format fmt)
{
    char err[1024];
    clinfer_model *m = load_script(script, err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    clinfer_context *ctx;
    clinfer_context_new(&ctx);
    clinfer_summary_options o = {.format = fmt};
    char *text = NULL;
    cr_assert_eq(clinfer_model_summary(ctx, m, &o, &text), CLINFER_OK);
    clinfer_context_free(ctx);
    clinfer_model_free(m);
    return text;
}

Test(frontend, declared_batch_size_prints)
{
    char *t = summary_of_script("x = layers.Input(shape=(8,), batch_size=4)\ny = layers.Dense(2)(x)\n"
                                "model = Model(x, y, name='tiny')\n",
                                CLINFER_FORMAT_JSON);
    cr_assert_not_null(strstr(t, "\"model\": \"tiny\""));
    cr_assert_not_null(strstr(t, "\"output_shape\": [4, 2]"), "%s", t);
    clinfer_free(t);
}

Test(frontend, multiple_inputs_print_98_columns)
{
    char *t = summary_of_script(cases[9].script, CLINFER_FORMAT_KERAS);
    cr_assert_not_null(strstr(t, "Connected to"));
    cr_assert_not_null(strstr(t, "concatenate_1 (Concatenate)     (None, 8)            0           dense_1[0][0]"),
                       "%s", t);
    cr_assert_not_null(strstr(t, "                                                                 input_2[0][0]"));
    clinfer_free(t);
}

Test(frontend, chain_prints_65_columns)
{
    char *t = summary_of_script(cases[1].script, CLINFER_FORMAT_KERAS);
    cr_assert_null(strstr(t, "Connected to"));
    cr_assert_not_null(strstr(t, "digits (InputLayer)          (None, 784)               0         \n"), "%s", t);
    cr_assert_not_null(strstr(t, "Total params: 55,050\n"), "%s", t);
    clinfer_free(t);
}

Test(frontend, a_long_chain_of_layers)
{
    /* 3,000 layers: the graph walk and the ordering stay linear */
    size_t cap = 3000 * 40 + 200;
    char *s = malloc(cap);
    size_t n = (size_t)sprintf(s, "x = layers.Input(shape=(4,))\ny = x\n");
    for (int i = 0; i < 3000; i++) n += (size_t)sprintf(s + n, "y = layers.Dense(4)(y)\n");
    sprintf(s + n, "model = Model(x, y)\n");
    char err[512];
    clinfer_model *m = load_script(s, err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    cr_assert_eq(clinfer_model_layer_count(m), 3001);
    cr_assert_str_eq(clinfer_model_layer_name(m, 3000), "dense_3000");
    clinfer_model_free(m);
    free(s);
}
