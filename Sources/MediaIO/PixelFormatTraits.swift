import CFFmpeg

/// What FFmpeg's own pixel-format descriptor says of a format, by the name a probe reports: the
/// one answer to "does this picture carry alpha", instead of guessing from letters in its name
/// (`gray` and `pal8` contain an "a"; `yuva444p10le` does not start with "rgba").
package enum PixelFormatTraits {
    /// Whether the format has an alpha channel (a palette counts: its entries are RGBA); nil for a
    /// name FFmpeg does not know.
    package static func hasAlpha(_ name: String) -> Bool? {
        let format = av_get_pix_fmt(name)
        guard format != AV_PIX_FMT_NONE, let descriptor = av_pix_fmt_desc_get(format) else { return nil }
        return descriptor.pointee.flags & UInt64(AV_PIX_FMT_FLAG_ALPHA) != 0
    }
}
