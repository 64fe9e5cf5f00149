"""Adam and SGD as single fused kernels, without ``torch.optim``.

``torch.optim`` imports ``torch._dynamo`` the first time an optimizer is used, which took 2-10 s
in every new worker process on the 2-core machine (a GAN job starts a process for each run).
These classes call the same fused CPU kernels that ``torch.optim.Adam(fused=True)`` and
``torch.optim.SGD(fused=True)`` use; tests/gan/test_optim.py checks them against torch.optim.
"""

from __future__ import annotations

import torch


class Adam:
    def __init__(self, params: list[torch.Tensor], lr: float, betas=(0.9, 0.999), eps=1e-8):
        self.params = params
        self.lr = lr
        self.betas = betas
        self.eps = eps
        self.exp_avg = [torch.zeros_like(p) for p in params]
        self.exp_avg_sq = [torch.zeros_like(p) for p in params]
        self.steps = [torch.zeros((), dtype=torch.float32) for _ in params]

    def step(self, grads: list[torch.Tensor]) -> None:
        torch._foreach_add_(self.steps, 1)
        torch._fused_adam_(
            self.params,
            list(grads),
            self.exp_avg,
            self.exp_avg_sq,
            [],
            self.steps,
            lr=self.lr,
            beta1=self.betas[0],
            beta2=self.betas[1],
            weight_decay=0.0,
            eps=self.eps,
            amsgrad=False,
            maximize=False,
        )


class SGD:
    def __init__(self, params: list[torch.Tensor], lr: float):
        self.params = params
        self.lr = lr

    def step(self, grads: list[torch.Tensor]) -> None:
        torch._fused_sgd_(
            self.params,
            list(grads),
            [],
            weight_decay=0.0,
            momentum=0.0,
            lr=self.lr,
            dampening=0.0,
            nesterov=False,
            maximize=False,
            is_first_step=False,
        )
