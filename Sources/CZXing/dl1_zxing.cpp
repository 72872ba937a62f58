// The C interface of dl1_zxing.h over zxing-cpp 1.4 (Debian's libzxing-dev).
#include "dl1_zxing.h"

#include <ZXing/ReadBarcode.h>

#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <vector>

namespace {
void report(char *err, size_t errlen, const char *message) {
    if (err == nullptr || errlen == 0) return;
    std::strncpy(err, message, errlen - 1);
    err[errlen - 1] = '\0';
}
}

extern "C" int dl1_zxing_read(const unsigned char *pixels, int width, int height, int stride, int options,
                              dl1_zxing_codes *out, char *err, size_t errlen) {
    if (out == nullptr) { report(err, errlen, "no place for the result"); return -1; }
    *out = dl1_zxing_codes{0, nullptr, nullptr, nullptr};
    if (pixels == nullptr || width <= 0 || height <= 0 || stride < width) {
        report(err, errlen, "the frame has no pixels or a bad size");
        return -1;
    }
    try {
        ZXing::DecodeHints hints;
        hints.setFormats(ZXing::BarcodeFormat::QRCode);
        hints.setTryHarder((options & DL1_ZXING_TRY_HARDER) != 0);
        hints.setTryRotate((options & DL1_ZXING_TRY_ROTATE) != 0);
        hints.setTryDownscale((options & DL1_ZXING_TRY_DOWNSCALE) != 0);
        ZXing::ImageView view(pixels, width, height, ZXing::ImageFormat::Lum, stride);
        ZXing::Results results = ZXing::ReadBarcodes(view, hints);

        std::vector<const ZXing::Result *> valid;
        size_t total = 0;
        for (const auto &result : results) {
            if (result.format() != ZXing::BarcodeFormat::QRCode || !result.isValid()) continue;
            valid.push_back(&result);
            total += result.bytes().size();
        }
        if (valid.empty()) return 0;
        out->offsets = static_cast<size_t *>(std::malloc(valid.size() * sizeof(size_t)));
        out->lengths = static_cast<size_t *>(std::malloc(valid.size() * sizeof(size_t)));
        out->data = static_cast<unsigned char *>(std::malloc(total == 0 ? 1 : total));
        if (out->offsets == nullptr || out->lengths == nullptr || out->data == nullptr) {
            dl1_zxing_free(out);
            report(err, errlen, "out of memory");
            return -1;
        }
        size_t offset = 0;
        for (const ZXing::Result *result : valid) {
            const auto &bytes = result->bytes();
            if (!bytes.empty()) std::memcpy(out->data + offset, bytes.data(), bytes.size());
            out->offsets[out->count] = offset;
            out->lengths[out->count] = bytes.size();
            out->count += 1;
            offset += bytes.size();
        }
        return 0;
    } catch (const std::bad_alloc &) {
        dl1_zxing_free(out);
        report(err, errlen, "out of memory");
    } catch (const std::exception &e) {
        dl1_zxing_free(out);
        report(err, errlen, e.what());
    } catch (...) {
        dl1_zxing_free(out);
        report(err, errlen, "zxing-cpp failed");
    }
    return -1;
}

extern "C" void dl1_zxing_free(dl1_zxing_codes *codes) {
    if (codes == nullptr) return;
    std::free(codes->offsets);
    std::free(codes->lengths);
    std::free(codes->data);
    *codes = dl1_zxing_codes{0, nullptr, nullptr, nullptr};
}
