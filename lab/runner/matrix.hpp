// SPDX-License-Identifier: GPL-2.0-or-later
// The kernel matrix (`pcc-lab matrix`, docs/lab.md "Kernel matrix"): the
// kernels named by --kernels, and the options of one kernel's column.
// The runs are run_scenarios()'s (main.cpp), the report matrix_report.hpp.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "options.hpp"

namespace lab {

// Debian's arm64 kernels by suite (lab/fetch.sh --kernel-suite).
inline constexpr std::array<const char*, 4> kMatrixSuites{"bookworm", "trixie", "sid",
                                                          "experimental"};
// --kernels without a list: the four suites and the lab kernel.
inline constexpr const char* kDefaultMatrixKernels = "bookworm,trixie,sid,experimental,lab";

// One column of the matrix.
struct MatrixKernel {
    enum class Kind {
        suite,  // Debian's kernel of `suite`
        lab,    // the lab kernel (pcc-lab kernel)
        image,  // image:IMAGE[:MODULES] (like --kernel IMAGE --modules MODULES)
        tree,   // tree:DIR (like --kernel-tree DIR)
    };
    Kind kind = Kind::suite;
    // The column's name, its log directory (OUT/LABEL/SCENARIO) and the
    // kernel of golden transcripts (lab/golden/SCENARIO.LABEL.txt): the
    // suite, "lab", "image" or "tree" (a second image: "image-2", ...).
    std::string label;
    std::string suite;           // Kind::suite
    std::string image, modules;  // Kind::image
    std::string tree;            // Kind::tree

    bool operator==(const MatrixKernel&) const = default;
};

// "bookworm,lab,image:/x/Image:/x/lib/modules/7.3.4,tree:/src/linux".
// Throws std::invalid_argument naming the bad word (unknown name, empty
// path, a kernel given twice).
std::vector<MatrixKernel> parse_kernel_list(std::string_view list);

// `base` with the kernel options of column `k` (the others cleared) and
// the logs of scenario S in `out_dir`/LABEL/S.
Options column_options(const Options& base, const MatrixKernel& k, const std::string& out_dir);

// The golden label of the kernel that `o` boots: its --kernel-suite, "lab"
// for --lab-kernel, "tree" for --kernel-tree, "image" for --kernel, else the
// stock kernel's suite ("sid").
std::string kernel_label(const Options& o);

}  // namespace lab
