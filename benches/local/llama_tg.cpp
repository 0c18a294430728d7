// Reference decode benchmark against the llama.cpp build the crate vendors (llama-cpp-sys-2),
// doing what llama-bench's `tg` test does: load the GGUF, then decode N single-token batches and
// time them. llama-bench itself is not in the crate's vendored source (its tools/ are stripped),
// so this ~60-line harness stands in for it. Usage: llama_tg MODEL THREADS N_TOKENS N_CTX [DEPTH]
// DEPTH tokens are evaluated first (llama-bench's -d), so decode runs over the same KV depth as a
// real prompt.
#include "llama.h"
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>
#include <algorithm>

int main(int argc, char ** argv) {
    if (argc < 5) { fprintf(stderr, "usage: %s MODEL THREADS N_TOKENS N_CTX\n", argv[0]); return 2; }
    const int threads = atoi(argv[2]), n_gen = atoi(argv[3]), n_ctx = atoi(argv[4]);
    const int depth = argc > 5 ? atoi(argv[5]) : 0;
    llama_log_set([](ggml_log_level, const char *, void *) {}, nullptr);
    llama_backend_init();
    auto t0 = std::chrono::steady_clock::now();
    llama_model * model = llama_model_load_from_file(argv[1], llama_model_default_params());
    if (!model) { fprintf(stderr, "cannot load %s\n", argv[1]); return 1; }
    llama_context_params cp = llama_context_default_params();
    cp.n_ctx = n_ctx; cp.n_batch = 512; cp.n_threads = threads; cp.n_threads_batch = threads;
    llama_context * ctx = llama_init_from_model(model, cp);
    auto t1 = std::chrono::steady_clock::now();
    const llama_vocab * vocab = llama_model_get_vocab(model);
    const int n_vocab = llama_vocab_n_tokens(vocab);
    llama_token tok = llama_vocab_bos(vocab);
    std::vector<llama_token> prompt(depth > 0 ? depth : 1);
    for (auto & t : prompt) t = std::rand() % n_vocab;
    for (size_t i = 0; i < prompt.size(); i += 512) {
        int n = (int) std::min<size_t>(512, prompt.size() - i);
        llama_batch b = llama_batch_get_one(prompt.data() + i, n);
        llama_decode(ctx, b);
    }
    llama_synchronize(ctx);
    auto t2 = std::chrono::steady_clock::now();
    for (int i = 0; i < n_gen; i++) {
        tok = std::rand() % n_vocab;
        llama_batch bi = llama_batch_get_one(&tok, 1);
        if (llama_decode(ctx, bi) != 0) { fprintf(stderr, "decode failed\n"); return 1; }
        llama_synchronize(ctx);
    }
    auto t3 = std::chrono::steady_clock::now();
    double load = std::chrono::duration<double>(t1 - t0).count();
    double gen = std::chrono::duration<double>(t3 - t2).count();
    printf("{\"load_s\": %.3f, \"tg_tokens\": %d, \"tg_s\": %.3f, \"tg_tok_per_s\": %.2f}\n",
           load, n_gen, gen, n_gen / gen);
    llama_free(ctx);
    llama_model_free(model);
    llama_backend_free();
    return 0;
}
