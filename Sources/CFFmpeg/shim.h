#ifndef PREFLIGHT_CFFMPEG_SHIM_H
#define PREFLIGHT_CFFMPEG_SHIM_H

// FFmpeg's public headers, plus static inline wrappers for what Swift cannot import:
// function-like macros (AVERROR, av_err2str), macros built from casts or compound literals
// (AV_NOPTS_VALUE, AV_TIME_BASE_Q) and variadic functions (av_log). No logic beyond that.

#include <errno.h>
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libavutil/avutil.h>
#include <libavutil/display.h>
#include <libavutil/pixdesc.h>
#include <libavutil/channel_layout.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/mastering_display_metadata.h>
#include <libavutil/audio_fifo.h>
#include <libswscale/swscale.h>
#include <libswresample/swresample.h>
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersrc.h>
#include <libavfilter/buffersink.h>

static inline int pf_averror(int posix_error) { return AVERROR(posix_error); }
static inline int pf_averror_eof(void) { return AVERROR_EOF; }
static inline int pf_averror_eagain(void) { return AVERROR(EAGAIN); }
static inline int pf_averror_invaliddata(void) { return AVERROR_INVALIDDATA; }
static inline int pf_averror_exit(void) { return AVERROR_EXIT; }
static inline int pf_averror_stream_not_found(void) { return AVERROR_STREAM_NOT_FOUND; }
static inline int64_t pf_nopts_value(void) { return AV_NOPTS_VALUE; }
static inline AVRational pf_time_base_q(void) { return AV_TIME_BASE_Q; }
/// An anonymous enum constant in buffersrc.h: the caller keeps its reference to the frame.
static inline int pf_buffersrc_keep_ref(void) { return AV_BUFFERSRC_FLAG_KEEP_REF; }

/// Fills `buffer` with FFmpeg's text for an error code (av_err2str is a macro over a compound literal).
static inline void pf_strerror(int code, char *buffer, size_t size) {
    if (av_strerror(code, buffer, size) < 0) {
        snprintf(buffer, size, "unknown FFmpeg error %d", code);
    }
}

/// av_log_set_level is fine as is; the variadic av_log is not importable, so callers that need to
/// silence FFmpeg use this instead.
static inline void pf_log_quiet(void) { av_log_set_level(AV_LOG_QUIET); }
static inline void pf_log_level(int level) { av_log_set_level(level); }

#endif
