// A stable sort that allocates nothing for the short ranges the compiler and
// the writer mostly sort (an instance's criteria, a set's members).
#pragma once

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <utility>

namespace ringward {

// Sorts [first, last) by `less`, keeping the order of equal elements: by
// insertion up to 64 elements (std::stable_sort allocates a buffer), by
// std::stable_sort above, so that a long range cannot make it quadratic.
template <class It, class Less>
void stable_sort_small(It first, It last, Less less) {
    if (last - first > 64) {
        std::stable_sort(first, last, less);
        return;
    }
    for (It k = first; k != last; ++k) {
        auto item = std::move(*k);
        It j = k;
        for (; j != first && less(item, *std::prev(j)); --j) {
            *j = std::move(*std::prev(j));
        }
        *j = std::move(item);
    }
}

}  // namespace ringward
