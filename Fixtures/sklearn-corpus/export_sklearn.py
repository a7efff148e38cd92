"""Trains the scikit-learn corpus on datasets scikit-learn ships and exports it with skl2onnx (the converter's defaults,
ZipMap included, as users' files have them). Writes NAME.onnx, NAME.samples.json (held-out inputs, the ones the tests
prove) and NAME.calibration.json (training inputs) for each model; deterministic (fixed seeds, sorted opset list): a
re-export with the pinned versions gives byte-identical files.

Usage: python export_sklearn.py [OUTPUT_FOLDER]   (venv: pip install -r requirements-sklearn.txt)
"""

import json
import os
import sys

import lightgbm
import numpy as np
import onnx
import xgboost
from onnxmltools import convert_lightgbm, convert_xgboost
from onnxmltools.convert.common.data_types import FloatTensorType
from skl2onnx import to_onnx
from sklearn.datasets import load_breast_cancer, load_digits, load_iris
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
HELD_OUT = 24
CALIBRATION = 32


def dataset(name):
    loader = {"iris": load_iris, "breast_cancer": load_breast_cancer, "digits": load_digits}[name]
    x, y = loader(return_X_y=True)
    return train_test_split(x.astype(np.float32), y, test_size=0.3, random_state=0, stratify=y)


MODELS = [
    ("decision_tree", "iris", lambda: DecisionTreeClassifier(max_depth=5, random_state=0)),
    ("random_forest", "breast_cancer", lambda: RandomForestClassifier(n_estimators=10, max_depth=6, random_state=0)),
    ("gradient_boosting", "iris", lambda: GradientBoostingClassifier(n_estimators=10, max_depth=3, random_state=0)),
    ("gradient_boosting_binary", "breast_cancer", lambda: GradientBoostingClassifier(n_estimators=10, max_depth=3, random_state=0)),
    ("logistic_regression", "iris", lambda: LogisticRegression(max_iter=2000)),
    ("linear_svc", "iris", lambda: LinearSVC(random_state=0, max_iter=20000)),
    ("mlp", "digits", lambda: MLPClassifier(hidden_layer_sizes=(32,), max_iter=400, random_state=0)),
    ("scaler_logistic", "breast_cancer", lambda: make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))),
]


# Gradient-boosted trees from XGBoost and LightGBM, converted by onnxmltools (its newest supported opset, 15).
BOOSTERS = [
    ("xgboost", "iris", lambda: xgboost.XGBClassifier(n_estimators=10, max_depth=3, random_state=0, n_jobs=1), convert_xgboost),
    ("xgboost_binary", "breast_cancer", lambda: xgboost.XGBClassifier(n_estimators=10, max_depth=3, random_state=0, n_jobs=1), convert_xgboost),
    ("lightgbm", "iris", lambda: lightgbm.LGBMClassifier(n_estimators=10, max_depth=3, random_state=0, n_jobs=1, verbose=-1), convert_lightgbm),
    ("lightgbm_binary", "breast_cancer", lambda: lightgbm.LGBMClassifier(n_estimators=10, max_depth=3, random_state=0, n_jobs=1, verbose=-1), convert_lightgbm),
]


def rounded(rows):
    return [[round(float(v), 4) for v in row] for row in rows]


def strip(model, name):
    model.graph.name = name  # onnxmltools names the graph with a random UUID
    model.doc_string = ""
    model.graph.doc_string = ""
    for node in model.graph.node:
        node.doc_string = ""
    del model.metadata_props[:]
    # skl2onnx lists the opsets in set order, which varies between runs.
    opsets = sorted(((o.domain, o.version) for o in model.opset_import))
    del model.opset_import[:]
    for domain, version in opsets:
        model.opset_import.add(domain=domain, version=version)
    return model


def convert(name, model, x_train):
    for booster, _, _, converter in BOOSTERS:
        if booster == name:
            return converter(model, initial_types=[("X", FloatTensorType([None, x_train.shape[1]]))], target_opset=15)
    return to_onnx(model, x_train[:1], target_opset={"": 17, "ai.onnx.ml": 3})


for name, data, make, *_ in MODELS + BOOSTERS:
    x_train, x_test, y_train, y_test = dataset(data)
    model = make().fit(x_train, y_train)
    onx = strip(convert(name, model, x_train), name)
    onnx.checker.check_model(onx, full_check=True)
    onnx.save(onx, os.path.join(OUT, f"{name}.onnx"))
    with open(os.path.join(OUT, f"{name}.samples.json"), "w") as f:
        json.dump(rounded(x_test[:HELD_OUT]), f)
    with open(os.path.join(OUT, f"{name}.calibration.json"), "w") as f:
        json.dump(rounded(x_train[:CALIBRATION]), f)
    print(f"{name}: held-out accuracy {model.score(x_test, y_test):.3f}, ops {sorted({n.op_type for n in onx.graph.node})}")
