// Max-pool input gradient for non-overlapping windows (the U-Net's 2x2, stride 2). tfjs's wasm
// backend has no MaxPoolGrad; the borrowed cpu kernel copies the tensors out of the heap and back.
// Ties go to the first maximum in row-major window order, as in tfjs's cpu kernel.
#include <cstring>
#include <limits>

#include "accelerator.h"

namespace {

// The U-Net's case: 2x2 windows, stride 2, tiling the input exactly. Every input pixel belongs to
// one window, so dx needs no clearing, and the per-channel loop has no branch (the compiler
// vectorises the selects). Same tie rule: the first maximum in row-major order wins.
void MaxPoolGrad2x2(const float* x, const float* dy, float* dx, int64_t N, int64_t OH, int64_t OW, int64_t C) {
  const int64_t W = 2 * OW;
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t n = 0; n < N; ++n) {
    for (int64_t oy = 0; oy < OH; ++oy) {
      for (int64_t ox = 0; ox < OW; ++ox) {
        const int64_t top = ((n * 2 * OH + 2 * oy) * W + 2 * ox) * C;
        const int64_t bottom = top + W * C;
        const float* g = dy + ((n * OH + oy) * OW + ox) * C;
        const float *x0 = x + top, *x1 = x + top + C, *x2 = x + bottom, *x3 = x + bottom + C;
        float *d0 = dx + top, *d1 = dx + top + C, *d2 = dx + bottom, *d3 = dx + bottom + C;
        for (int64_t c = 0; c < C; ++c) {
          float best = x0[c];
          int at = 0;
          if (x1[c] > best) best = x1[c], at = 1;
          if (x2[c] > best) best = x2[c], at = 2;
          if (x3[c] > best) at = 3;
          d0[c] = at == 0 ? g[c] : 0.f;
          d1[c] = at == 1 ? g[c] : 0.f;
          d2[c] = at == 2 ? g[c] : 0.f;
          d3[c] = at == 3 ? g[c] : 0.f;
        }
      }
    }
  }
}

}  // namespace

namespace buslab {

void MaxPoolGrad(const Heap& heap, const double* p) {
  const int64_t N = p[0], H = p[1], W = p[2], C = p[3], OH = p[4], OW = p[5];
  const int64_t KH = p[6], KW = p[7], SH = p[8], SW = p[9], PT = p[10], PL = p[11];
  if (SH < KH || SW < KW) throw std::invalid_argument("maxPoolGrad: overlapping windows are not supported");
  const float* x = heap.f32(p[12], static_cast<double>(N * H * W * C));
  const float* dy = heap.f32(p[13], static_cast<double>(N * OH * OW * C));
  float* dx = heap.f32(p[14], static_cast<double>(N * H * W * C));
  if (KH == 2 && KW == 2 && SH == 2 && SW == 2 && PT == 0 && PL == 0 && H == 2 * OH && W == 2 * OW) {
    MaxPoolGrad2x2(x, dy, dx, N, OH, OW, C);
    return;
  }
  std::memset(dx, 0, static_cast<size_t>(N * H * W * C) * sizeof(float));
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t n = 0; n < N; ++n) {
    for (int64_t oy = 0; oy < OH; ++oy) {
      for (int64_t ox = 0; ox < OW; ++ox) {
        const float* g = dy + ((n * OH + oy) * OW + ox) * C;
        for (int64_t c = 0; c < C; ++c) {
          float best = -std::numeric_limits<float>::infinity();
          int64_t at = -1;
          for (int64_t ky = 0; ky < KH; ++ky) {
            const int64_t iy = oy * SH - PT + ky;
            if (iy < 0 || iy >= H) continue;
            for (int64_t kx = 0; kx < KW; ++kx) {
              const int64_t ix = ox * SW - PL + kx;
              if (ix < 0 || ix >= W) continue;
              const int64_t i = ((n * H + iy) * W + ix) * C + c;
              if (at < 0 || x[i] > best) {
                best = x[i];
                at = i;
              }
            }
          }
          if (at >= 0) dx[at] += g[c];
        }
      }
    }
  }
}

}  // namespace buslab
