#!/usr/bin/python3
"""PyTorch reference for `bus-lab bench`: the same multi-task U-Net, losses, optimiser and batch.

Architecture (mirrors src/engine/model/unet.ts): depth 4, base width W (default 16); each block is
two (3x3 'same' conv without bias -> batch norm (eps 1e-3, momentum 0.1 in PyTorch's convention,
0.9 in TensorFlow's) -> ReLU); 2x2 max-pool down; 2x2 stride-2 transposed conv with bias up, then
concat [upsampled, skip]; 1x1 conv with bias + sigmoid for the mask. Classifier on the bottleneck:
global average pooling -> dense(1) -> sigmoid. Loss: soft Dice + mean BCE on the mask, plus
alpha * BCE on malignancy (alpha 0.5), probabilities clipped to [1e-7, 1 - 1e-7] as in the
engine. Adam, lr 1e-3. Synthetic batch, timed after warm-up, median of the timed steps.

Prints one JSON line: {trainImagesPerSecond, inferImagesPerSecond, params, threads, ...}.
Run with Debian's interpreter, which has python3-torch: /usr/bin/python3 bench/reference/unet_reference.py
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class ConvBnRelu(nn.Sequential):
    def __init__(self, cin, cout):
        super().__init__(
            nn.Conv2d(cin, cout, 3, padding=1, bias=False),
            nn.BatchNorm2d(cout, eps=1e-3, momentum=0.1),
            nn.ReLU(inplace=True),
        )


def block(cin, cout):
    return nn.Sequential(ConvBnRelu(cin, cout), ConvBnRelu(cout, cout))


class UNet(nn.Module):
    def __init__(self, width=16, depth=4):
        super().__init__()
        widths = [width * 2 ** i for i in range(depth + 1)]
        self.encoder = nn.ModuleList()
        cin = 1
        for i in range(depth):
            self.encoder.append(block(cin, widths[i]))
            cin = widths[i]
        self.bottleneck = block(widths[depth - 1], widths[depth])
        self.up = nn.ModuleList()
        self.decoder = nn.ModuleList()
        for i in reversed(range(depth)):
            self.up.append(nn.ConvTranspose2d(widths[i + 1], widths[i], 2, stride=2))
            self.decoder.append(block(2 * widths[i], widths[i]))
        self.head = nn.Conv2d(widths[0], 1, 1)
        self.classifier = nn.Linear(widths[depth], 1)

    def forward(self, x):
        skips = []
        h = x
        for enc in self.encoder:
            h = enc(h)
            skips.append(h)
            h = F.max_pool2d(h, 2)
        h = self.bottleneck(h)
        p_malignant = torch.sigmoid(self.classifier(h.mean(dim=(2, 3)))).reshape(-1)
        for up, dec, skip in zip(self.up, self.decoder, reversed(skips)):
            h = dec(torch.cat([up(h), skip], dim=1))
        return torch.sigmoid(self.head(h)), p_malignant


def bce(p, y):
    pc = p.clamp(1e-7, 1 - 1e-7)
    return -(y * torch.log(pc) + (1 - y) * torch.log(1 - pc))


def soft_dice_loss(p, g):
    inter = (p * g).sum(dim=(1, 2, 3))
    denom = p.sum(dim=(1, 2, 3)) + g.sum(dim=(1, 2, 3))
    return (1 - (2 * inter + 1) / (denom + 1)).mean()


def synthetic_batch(size, batch, seed):
    gen = torch.Generator().manual_seed(seed)
    ys, xs = torch.meshgrid(torch.arange(size, dtype=torch.float32), torch.arange(size, dtype=torch.float32), indexing="ij")
    images, masks = [], []
    for _ in range(batch):
        c = size * (0.3 + 0.4 * torch.rand(2, generator=gen))
        r = size * (0.08 + 0.15 * torch.rand(2, generator=gen))
        inside = (((xs - c[0]) / r[0]) ** 2 + ((ys - c[1]) / r[1]) ** 2 <= 1).float()
        images.append(0.35 * torch.rand(size, size, generator=gen) + 0.1 + 0.4 * inside)
        masks.append(inside)
    labels = torch.tensor([b % 2 for b in range(batch)], dtype=torch.float32)
    return torch.stack(images)[:, None], torch.stack(masks)[:, None], labels


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--width", type=int, default=16)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--alpha", type=float, default=0.5)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(42)
    net = UNet(args.width)
    optimiser = torch.optim.Adam(net.parameters(), lr=1e-3)
    image, mask, label = synthetic_batch(args.size, args.batch, 42)
    params = sum(p.numel() for p in net.parameters() if p.requires_grad)

    def timed(step):
        # Wall and process CPU time (all threads), like `bus-lab bench`.
        wall, cpu = time.perf_counter(), time.process_time()
        step()
        return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000

    def train_step():
        optimiser.zero_grad(set_to_none=True)
        seg, p_malignant = net(image)
        loss = soft_dice_loss(seg, mask) + bce(seg, mask).mean() + args.alpha * bce(p_malignant, label).mean()
        loss.backward()
        optimiser.step()
        loss.item()

    def infer_step():
        with torch.inference_mode():
            seg, _ = net(image)
            seg.sum().item()

    net.train()
    for _ in range(args.warmup):
        train_step()
    train = [timed(train_step) for _ in range(args.steps)]
    net.eval()
    for _ in range(args.warmup):
        infer_step()
    infer = [timed(infer_step) for _ in range(args.steps)]
    train_ms = [w for w, _ in train]
    infer_ms = [w for w, _ in infer]
    train_median = statistics.median(train_ms)
    infer_median = statistics.median(infer_ms)
    train_cpu = statistics.median([c for _, c in train])
    infer_cpu = statistics.median([c for _, c in infer])
    print(json.dumps({
        "trainImagesPerSecond": 1000 * args.batch / train_median,
        "inferImagesPerSecond": 1000 * args.batch / infer_median,
        "trainImagesPerCpuSecond": 1000 * args.batch / train_cpu,
        "inferImagesPerCpuSecond": 1000 * args.batch / infer_cpu,
        "params": params,
        "threads": torch.get_num_threads(),
        "trainStepMs": train_ms,
        "inferStepMs": infer_ms,
        "size": args.size,
        "batch": args.batch,
        "width": args.width,
        "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
