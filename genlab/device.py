"""Where torch runs: CUDA when present, else the CPU with one thread.

One thread was measured faster than two for the lab's model sizes on a 2-core machine (1.3x for a
0.8 M-parameter GPT, 20x for a small 2-D GAN when the machine is busy; docs/architecture.md).
Set ``GENLAB_THREADS`` to override. ``GENLAB_DEVICE=cpu`` keeps a machine's GPU unused (``cuda``
requires one); the CLI's ``--device`` sets it.
"""

import os

import torch


def configure() -> torch.device:
    """Set torch's thread count and return the device to train on."""
    wanted = os.environ.get("GENLAB_DEVICE", "auto")
    if wanted == "cuda" or (wanted == "auto" and torch.cuda.is_available()):
        return torch.device("cuda")
    torch.set_num_threads(int(os.environ.get("GENLAB_THREADS", "1")))
    return torch.device("cpu")
