// Per-layer timing behind the accelerator's Winograd rule (WinogradPays in
// native/accelerator/convolution.cc): for every 3x3 layer shape of the U-Net (width 16, 128 px,
// batch 4), the forward pass, input gradient and weight gradient as direct convolution on NHWC
// tensors (what the accelerator runs otherwise) against Winograd F(4x4, 3x3) on nChw16c with the
// reorders from and to NHWC that training pays around it. Best of 7 calls each.
//
//   g++ -O2 -std=c++17 bench/native/winograd-layers.cc -ldnnl -o /tmp/winograd-layers
//   OMP_NUM_THREADS=1 /tmp/winograd-layers      (and OMP_NUM_THREADS=2)
#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <vector>

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

static double BestMs(const std::function<void()>& f) {
  double best = 1e300;
  for (int r = 0; r < 7; ++r) {
    const auto t = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count());
  }
  return best;
}

static void Fill(memory& m, float v) {
  float* p = static_cast<float*>(m.get_data_handle());
  std::fill(p, p + m.get_desc().get_size() / sizeof(float), v);
}

int main() {
  engine eng(engine::kind::cpu, 0);
  stream s(eng);
  struct Layer {
    int in, out, size;
  };
  const std::vector<Layer> layers = {{16, 16, 128}, {16, 32, 64},   {32, 32, 64},   {32, 64, 32},  {64, 64, 32},  {64, 128, 16}, {128, 128, 16},
                                     {128, 256, 8}, {256, 256, 8},  {256, 128, 16}, {128, 64, 32}, {64, 32, 64},  {32, 16, 128}};
  const int n = 4;
  std::printf("| layer | size | forward direct / Winograd (ms) | input grad direct / Winograd | weight grad direct / Winograd |\n|---|---:|---|---|---|\n");
  for (const Layer& l : layers) {
    memory::desc xu({n, l.in, l.size, l.size}, dt::f32, tag::nhwc), yu({n, l.out, l.size, l.size}, dt::f32, tag::nhwc), wu({l.out, l.in, 3, 3}, dt::f32, tag::hwio);
    memory::desc xb({n, l.in, l.size, l.size}, dt::f32, tag::nChw16c), yb({n, l.out, l.size, l.size}, dt::f32, tag::nChw16c), wa({l.out, l.in, 3, 3}, dt::f32, tag::any);
    memory x(xu, eng), y(yu, eng), w(wu, eng), bx(xb, eng), by(yb, eng);
    Fill(x, 0.5f);
    Fill(y, 0.5f);
    Fill(w, 0.01f);
    double ms[2][3];
    for (int wino = 0; wino < 2; ++wino) {
      const auto alg = wino ? algorithm::convolution_winograd : algorithm::convolution_direct;
      const memory::desc& xd = wino ? xb : xu;
      const memory::desc& yd = wino ? yb : yu;
      convolution_forward::primitive_desc f(convolution_forward::desc(prop_kind::forward_training, alg, xd, wa, yd, {1, 1}, {1, 1}, {1, 1}), eng);
      convolution_backward_data::primitive_desc bd(convolution_backward_data::desc(alg, xd, wa, yd, {1, 1}, {1, 1}, {1, 1}), eng, f);
      convolution_backward_weights::primitive_desc bw(convolution_backward_weights::desc(alg, xd, wa, yd, {1, 1}, {1, 1}, {1, 1}), eng, f);
      memory wf(f.weights_desc(), eng), wd(bd.weights_desc(), eng), dw(bw.diff_weights_desc(), eng);
      reorder(w, wf).execute(s, w, wf);
      reorder(w, wd).execute(s, w, wd);
      s.wait();
      convolution_forward cf(f);
      convolution_backward_data cd(bd);
      convolution_backward_weights cw(bw);
      reorder toBx(x, bx), toBy(y, by), fromBy(by, y), fromBx(bx, x);
      memory& src = wino ? bx : x;
      memory& dst = wino ? by : y;
      ms[wino][0] = BestMs([&] {
        if (wino) toBx.execute(s, x, bx);
        cf.execute(s, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wf}, {DNNL_ARG_DST, dst}});
        if (wino) fromBy.execute(s, by, y);
        s.wait();
      });
      ms[wino][1] = BestMs([&] {
        if (wino) toBy.execute(s, y, by);
        cd.execute(s, {{DNNL_ARG_DIFF_DST, dst}, {DNNL_ARG_WEIGHTS, wd}, {DNNL_ARG_DIFF_SRC, src}});
        if (wino) fromBx.execute(s, bx, x);
        s.wait();
      });
      ms[wino][2] = BestMs([&] {
        if (wino) {
          toBx.execute(s, x, bx);
          toBy.execute(s, y, by);
        }
        cw.execute(s, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DIFF_DST, dst}, {DNNL_ARG_DIFF_WEIGHTS, dw}});
        s.wait();
      });
    }
    std::printf("| %d -> %d | %d | %.2f / %.2f | %.2f / %.2f | %.2f / %.2f |\n", l.in, l.out, l.size, ms[0][0], ms[1][0], ms[0][1], ms[1][1], ms[0][2], ms[1][2]);
  }
  return 0;
}
