// The CPU's measured FP32 multiply-add peak: an unrolled FMA loop on every OpenMP thread of the
// calling thread's team, the same threads the kernels run on. `bus-lab bench` divides the model's
// GFLOP/s by it, so "fraction of peak" is measured on this machine under its current load, not
// read from a datasheet.
#include "accelerator.h"

#include <omp.h>

#include <chrono>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define BUSLAB_X86 1
#endif

namespace {

// Independent accumulators hide the FMA latency: 16 measured best here (8: 388, 16: 445, 24: 217
// GFLOP/s on 2 threads; 24 no longer fits in the 32 vector registers).
constexpr int kAccumulators = 16;

#ifdef BUSLAB_X86
__attribute__((target("avx512f"))) double FmaLoopAvx512(long iterations) {
  __m512 acc[kAccumulators];
  for (int i = 0; i < kAccumulators; ++i) acc[i] = _mm512_set1_ps(0.001f * static_cast<float>(i));
  const __m512 a = _mm512_set1_ps(0.999999f);
  const __m512 b = _mm512_set1_ps(1e-7f);
  for (long n = 0; n < iterations; ++n) {
    for (int i = 0; i < kAccumulators; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
  }
  float lanes[16];
  __m512 sum = acc[0];
  for (int i = 1; i < kAccumulators; ++i) sum = _mm512_add_ps(sum, acc[i]);
  _mm512_storeu_ps(lanes, sum);
  double total = 0;
  for (float v : lanes) total += v;
  return total;
}

__attribute__((target("avx2,fma"))) double FmaLoopAvx2(long iterations) {
  __m256 acc[kAccumulators];
  for (int i = 0; i < kAccumulators; ++i) acc[i] = _mm256_set1_ps(0.001f * static_cast<float>(i));
  const __m256 a = _mm256_set1_ps(0.999999f);
  const __m256 b = _mm256_set1_ps(1e-7f);
  for (long n = 0; n < iterations; ++n) {
    for (int i = 0; i < kAccumulators; ++i) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
  }
  float lanes[8];
  __m256 sum = acc[0];
  for (int i = 1; i < kAccumulators; ++i) sum = _mm256_add_ps(sum, acc[i]);
  _mm256_storeu_ps(lanes, sum);
  double total = 0;
  for (float v : lanes) total += v;
  return total;
}
#endif

// Portable fallback: the compiler vectorises what it can for the baseline ISA.
double FmaLoopScalar(long iterations, int lanes) {
  float acc[kAccumulators * 16];
  for (int i = 0; i < kAccumulators * lanes; ++i) acc[i] = 0.001f * static_cast<float>(i);
  for (long n = 0; n < iterations; ++n) {
    for (int i = 0; i < kAccumulators * lanes; ++i) acc[i] = acc[i] * 0.999999f + 1e-7f;
  }
  double total = 0;
  for (int i = 0; i < kAccumulators * lanes; ++i) total += acc[i];
  return total;
}

}  // namespace

namespace buslab {

PeakResult MeasureFmaPeak(double seconds) {
  int lanes = 4;
  const char* isa = "scalar";
#ifdef BUSLAB_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) {
    lanes = 16;
    isa = "avx512f";
  } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    lanes = 8;
    isa = "avx2+fma";
  }
#endif
  auto run = [&](long iterations) {
    double sink = 0;
    int threads = 1;
    const auto start = std::chrono::steady_clock::now();
#pragma omp parallel reduction(+ : sink)
    {
#pragma omp single
      threads = omp_get_num_threads();
#ifdef BUSLAB_X86
      if (lanes == 16) sink += FmaLoopAvx512(iterations);
      else if (lanes == 8) sink += FmaLoopAvx2(iterations);
      else sink += FmaLoopScalar(iterations, lanes);
#else
      sink += FmaLoopScalar(iterations, lanes);
#endif
    }
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // 2 FLOPs (multiply and add) per lane per accumulator per iteration, on every thread.
    const double flops = 2.0 * lanes * kAccumulators * static_cast<double>(iterations) * threads;
    return PeakResult{flops / elapsed / 1e9, threads, elapsed, isa, sink};
  };
  // Calibrate on a short run, then time one of about `seconds`; the best of three is the peak
  // (a preempted thread can only make a run slower).
  PeakResult probe = run(200000);
  const double perIteration = probe.seconds / 200000.0;
  const long iterations = static_cast<long>(seconds / 3.0 / (perIteration > 0 ? perIteration : 1e-9)) + 1;
  PeakResult best = run(iterations);
  for (int i = 0; i < 2; ++i) {
    PeakResult r = run(iterations);
    if (r.gflops > best.gflops) best = r;
  }
  return best;
}

}  // namespace buslab
