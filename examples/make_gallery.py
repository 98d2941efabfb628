"""Regenerate the gallery (docs/gallery.md): run every example in full, saving its figure to docs/gallery/.

Run:  python examples/make_gallery.py --cat-dir DIR --fashion-npz FILE
      DIR holds the course's train_catvnoncat.h5 and test_catvnoncat.h5; FILE is a
      Fashion-MNIST .npz in the Keras mnist.npz layout. Without them those two figures are
      skipped. Needs matplotlib (pip install "neuralkit[plot]"); takes a few minutes, and
      the Fashion-MNIST CNN some 5-10 more (about 30 s an epoch on two cores).
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--cat-dir", type=Path, help="folder with train/test_catvnoncat.h5")
    parser.add_argument("--fashion-npz", type=Path, help="fashion_mnist.npz")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "gallery")
    parser.add_argument("--only", nargs="*", help="names of the examples to run (default: all)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    runs = {
        "quickstart": [],
        "custom_layer": [],
        "movie_ratings": [],
        "planar_flower": [],
        "cat_classifier": None if args.cat_dir is None else
        [args.cat_dir / "train_catvnoncat.h5", args.cat_dir / "test_catvnoncat.h5"],
        "fashion_mnist_mlp": None if args.fashion_npz is None else [args.fashion_npz],
        "fashion_mnist_cnn": None if args.fashion_npz is None else [args.fashion_npz],
    }
    env = {**os.environ, "MPLBACKEND": "Agg",
           "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    for name, extra in runs.items():
        if args.only and name not in args.only:
            continue
        if extra is None:
            print(f"{name}: skipped (its data path was not given)")
            continue
        figure = args.out / f"{name}.png"
        if figure.resolve().is_relative_to(ROOT):  # keeps machine paths out of the printouts
            figure = figure.resolve().relative_to(ROOT)
        command = [sys.executable, str(ROOT / "examples" / f"{name}.py"), *map(str, extra),
                   "--save", str(figure)]
        start = time.perf_counter()
        # The example's printout is kept next to its figure, as the record of that run.
        with open(args.out / f"{name}.txt", "w") as log:
            subprocess.run(command, check=True, stdout=log, env=env, cwd=ROOT)
        print(f"{name}: {figure} ({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
