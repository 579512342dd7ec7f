// Training-mode batch norm over the last axis (the batch's own mean and biased variance), then ReLU,
// forward and backward in two passes over the activation each. In tfjs this block is about 25
// small kernels per layer (moments, normalise, ReLU and their gradients), single-threaded on wasm.
//
//   xhat = (x - mean) * rstd,  rstd = 1 / sqrt(var + eps),  out = max(0, gamma * xhat + beta)
//   dz = dy * [out > 0];  dbeta = sum dz;  dgamma = sum dz * xhat
//   dx = gamma * rstd * (dz - dbeta / M - xhat * dgamma / M)
// Per-channel sums are accumulated in double, per thread, then combined.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "accelerator.h"

namespace buslab {
namespace {

constexpr int64_t kBlockRows = 32;

// Per-channel sums of `width` values per row, over all rows, on every thread. `addRow(r, acc)` adds
// row r into a float accumulator; blocks of rows are summed in float (so the inner loop over
// channels vectorises) and the block totals in double, per thread, then combined.
template <typename F>
std::vector<double> ChannelSums(int64_t rows, int64_t width, F&& addRow) {
  const int threads = omp_get_max_threads();
  std::vector<double> partial(static_cast<size_t>(threads * width), 0.0);
#pragma omp parallel
  {
    double* mine = partial.data() + omp_get_thread_num() * width;
    std::vector<float> block(static_cast<size_t>(width));
#pragma omp for schedule(static)
    for (int64_t r0 = 0; r0 < rows; r0 += kBlockRows) {
      std::fill(block.begin(), block.end(), 0.f);
      const int64_t r1 = std::min(rows, r0 + kBlockRows);
      for (int64_t r = r0; r < r1; ++r) addRow(r, block.data());
      for (int64_t c = 0; c < width; ++c) mine[c] += block[c];
    }
  }
  std::vector<double> total(static_cast<size_t>(width), 0.0);
  for (int t = 0; t < threads; ++t)
    for (int64_t c = 0; c < width; ++c) total[c] += partial[t * width + c];
  return total;
}

}  // namespace

void BatchNormReluForward(const Heap& heap, const double* p) {
  const int64_t M = p[0], C = p[1];
  const double eps = p[2];
  if (M <= 0 || C <= 0) throw std::invalid_argument("batchNormReluForward: empty tensor");
  const float* x = heap.f32(p[3], M * C);
  const float* gamma = heap.f32(p[4], C);
  const float* beta = heap.f32(p[5], C);
  float* out = heap.f32(p[6], M * C);
  float* mean = heap.f32(p[7], C);
  float* variance = heap.f32(p[8], C);

  std::vector<double> sum = ChannelSums(M, C, [&](int64_t r, float* acc) {
    const float* row = x + r * C;
    for (int64_t c = 0; c < C; ++c) acc[c] += row[c];
  });
  std::vector<float> mu(C);
  for (int64_t c = 0; c < C; ++c) mu[c] = static_cast<float>(sum[c] / M);
  // Two-pass variance, as tfjs's moments computes it (no cancellation from E[x^2] - E[x]^2).
  const float* muData = mu.data();
  std::vector<double> sq = ChannelSums(M, C, [&](int64_t r, float* acc) {
    const float* row = x + r * C;
    for (int64_t c = 0; c < C; ++c) {
      const float d = row[c] - muData[c];
      acc[c] += d * d;
    }
  });
  std::vector<float> scale(C), shift(C);
  for (int64_t c = 0; c < C; ++c) {
    mean[c] = mu[c];
    variance[c] = static_cast<float>(sq[c] / M);
    scale[c] = gamma[c] / std::sqrt(variance[c] + static_cast<float>(eps));
    shift[c] = beta[c] - mu[c] * scale[c];
  }
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < M; ++r) {
    const float* row = x + r * C;
    float* o = out + r * C;
    for (int64_t c = 0; c < C; ++c) {
      const float z = row[c] * scale[c] + shift[c];
      o[c] = z > 0.f ? z : 0.f;
    }
  }
}

void BatchNormReluBackward(const Heap& heap, const double* p) {
  const int64_t M = p[0], C = p[1];
  const double eps = p[2];
  if (M <= 0 || C <= 0) throw std::invalid_argument("batchNormReluBackward: empty tensor");
  const float* dy = heap.f32(p[3], M * C);
  const float* x = heap.f32(p[4], M * C);
  const float* gamma = heap.f32(p[5], C);
  const float* out = heap.f32(p[6], M * C);
  const float* mean = heap.f32(p[7], C);
  const float* variance = heap.f32(p[8], C);
  float* dx = heap.f32(p[9], M * C);
  float* dgamma = heap.f32(p[10], C);
  float* dbeta = heap.f32(p[11], C);

  // Local copies and restrict-qualified pointers: without them the compiler must assume the
  // accumulators alias the inputs and keeps these loops scalar (7x slower, measured).
  const std::vector<float> mu(mean, mean + C);
  const float* __restrict muData = mu.data();
  // [sum dz for each channel, then sum dz * (x - mean) for each channel].
  std::vector<double> sums = ChannelSums(M, 2 * C, [&](int64_t r, float* __restrict acc) {
    const float* __restrict g = dy + r * C;
    const float* __restrict row = x + r * C;
    const float* __restrict o = out + r * C;
    float* __restrict accDz = acc;
    float* __restrict accDzX = acc + C;
    for (int64_t c = 0; c < C; ++c) {
      const float gv = g[c];  // loaded unconditionally, so the select vectorises
      const float dz = o[c] > 0.f ? gv : 0.f;
      accDz[c] += dz;
      accDzX[c] += dz * (row[c] - muData[c]);
    }
  });
  std::vector<float> rstd(C), k0(C), k1(C), k2(C);
  for (int64_t c = 0; c < C; ++c) {
    rstd[c] = 1.f / std::sqrt(variance[c] + static_cast<float>(eps));
    dbeta[c] = static_cast<float>(sums[c]);
    dgamma[c] = static_cast<float>(sums[C + c] * rstd[c]);
    // dx = k0 * dz - k1 - k2 * (x - mean)
    k0[c] = gamma[c] * rstd[c];
    k1[c] = static_cast<float>(k0[c] * sums[c] / M);
    k2[c] = static_cast<float>(k0[c] * rstd[c] * rstd[c] * sums[C + c] / M);
  }
  const float* __restrict a0 = k0.data();
  const float* __restrict a1 = k1.data();
  const float* __restrict a2 = k2.data();
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < M; ++r) {
    const float* __restrict g = dy + r * C;
    const float* __restrict row = x + r * C;
    const float* __restrict o = out + r * C;
    float* __restrict d = dx + r * C;
    for (int64_t c = 0; c < C; ++c) {
      const float gv = g[c];  // loaded unconditionally, so the select vectorises
      const float dz = o[c] > 0.f ? gv : 0.f;
      d[c] = a0[c] * dz - a1[c] - a2[c] * (row[c] - muData[c]);
    }
  }
}

}  // namespace buslab
