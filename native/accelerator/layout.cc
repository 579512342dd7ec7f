// Concatenation and split along the last axis as strided row copies: tfjs's wasm Concat and the
// SplitV of its gradient copy row by row in JavaScript, which cost about 10% of a U-Net training
// step (the skip connections); here the rows are split across the OpenMP threads.
#include <cstring>

#include "accelerator.h"

namespace buslab {

void CopyColumns(const Heap& heap, const double* p) {
  const int64_t rows = static_cast<int64_t>(p[0]);
  const int64_t width = static_cast<int64_t>(p[1]);
  const int64_t srcStride = static_cast<int64_t>(p[3]);
  const int64_t dstStride = static_cast<int64_t>(p[5]);
  if (rows <= 0 || width <= 0) return;
  if (width > srcStride || width > dstStride) throw std::invalid_argument("copyColumns: width exceeds a row stride");
  const float* src = heap.f32(p[2], static_cast<double>((rows - 1) * srcStride + width));
  float* dst = heap.f32(p[4], static_cast<double>((rows - 1) * dstStride + width));
  const size_t bytes = static_cast<size_t>(width) * sizeof(float);
#pragma omp parallel for schedule(static) if (rows * width > 16384)
  for (int64_t r = 0; r < rows; ++r) std::memcpy(dst + r * dstStride, src + r * srcStride, bytes);
}

}  // namespace buslab
