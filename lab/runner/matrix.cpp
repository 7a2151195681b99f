// SPDX-License-Identifier: GPL-2.0-or-later
#include "matrix.hpp"

#include <algorithm>
#include <stdexcept>

namespace lab {

namespace {

bool is_suite(std::string_view w) {
    return std::any_of(kMatrixSuites.begin(), kMatrixSuites.end(),
                       [&](const char* s) { return w == s; });
}

std::string suites_text() {
    std::string s;
    for (const char* x : kMatrixSuites) {
        s += std::string(x) + ", ";
    }
    return s;
}

}  // namespace

std::vector<MatrixKernel> parse_kernel_list(std::string_view list) {
    std::vector<MatrixKernel> out;
    auto bad = [](std::string_view word, const std::string& why) {
        throw std::invalid_argument("--kernels: '" + std::string(word) + "': " + why);
    };
    while (true) {
        const auto comma = list.find(',');
        const std::string_view word = list.substr(0, comma);
        MatrixKernel k;
        if (word.empty()) {
            bad(word, "an empty name");
        } else if (is_suite(word)) {
            k.kind = MatrixKernel::Kind::suite;
            k.suite = k.label = std::string(word);
        } else if (word == "lab") {
            k.kind = MatrixKernel::Kind::lab;
            k.label = "lab";
        } else if (word.starts_with("image:")) {
            k.kind = MatrixKernel::Kind::image;
            const std::string_view rest = word.substr(6);
            const auto colon = rest.find(':');
            k.image = std::string(rest.substr(0, colon));
            if (colon != std::string_view::npos) {
                k.modules = std::string(rest.substr(colon + 1));
                if (k.modules.empty()) {
                    bad(word, "image:IMAGE:MODULES with an empty MODULES");
                }
            }
            if (k.image.empty()) {
                bad(word, "image:IMAGE[:MODULES] without an IMAGE");
            }
            k.label = "image";
        } else if (word.starts_with("tree:")) {
            k.kind = MatrixKernel::Kind::tree;
            k.tree = std::string(word.substr(5));
            if (k.tree.empty()) {
                bad(word, "tree:DIR without a DIR");
            }
            k.label = "tree";
        } else {
            bad(word, "not a kernel (" + suites_text() + "lab, image:IMAGE[:MODULES], tree:DIR)");
        }
        if (std::find(out.begin(), out.end(), k) != out.end()) {
            bad(word, "given twice");
        }
        if (k.kind == MatrixKernel::Kind::image || k.kind == MatrixKernel::Kind::tree) {
            // image, image-2, ...: one log directory each
            const std::string base = k.label;
            for (int n = 2; std::any_of(out.begin(), out.end(),
                                        [&](const auto& o) { return o.label == k.label; });
                 ++n) {
                k.label = base + "-" + std::to_string(n);
            }
        }
        out.push_back(std::move(k));
        if (comma == std::string_view::npos) {
            break;
        }
        list.remove_prefix(comma + 1);
    }
    return out;
}

Options column_options(const Options& base, const MatrixKernel& k, const std::string& out_dir) {
    Options o = base;
    o.kernel.clear();
    o.modules.clear();
    o.kernel_config.clear();
    o.kernel_tree.clear();
    o.kernel_suite.clear();
    o.lab_kernel = false;
    o.log_dir.clear();
    o.log_root = out_dir + "/" + k.label;
    switch (k.kind) {
        case MatrixKernel::Kind::suite:
            o.kernel_suite = k.suite;
            break;
        case MatrixKernel::Kind::lab:
            o.lab_kernel = true;
            break;
        case MatrixKernel::Kind::image:
            o.kernel = k.image;
            o.modules = k.modules;
            break;
        case MatrixKernel::Kind::tree:
            o.kernel_tree = k.tree;
            break;
    }
    return o;
}

std::string kernel_label(const Options& o) {
    if (!o.kernel.empty()) {
        return "image";
    }
    if (!o.kernel_tree.empty()) {
        return "tree";
    }
    if (o.lab_kernel) {
        return "lab";
    }
    return o.kernel_suite.empty() ? std::string("sid") : o.kernel_suite;
}

}  // namespace lab
