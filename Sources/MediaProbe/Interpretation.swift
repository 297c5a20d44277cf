import MediaIO

/// Turns FFmpeg's raw descriptions into what a user (and a model) cares about: the kind of media, what
/// the picture looks like on screen, where a duration came from. Pure functions, no I/O.
enum Interpretation {
    /// Demuxers that read single pictures or picture sequences rather than video containers.
    static func isPictureFormat(_ name: String) -> Bool {
        name == "image2" || name.hasSuffix("_pipe") || name == "gif" || name == "apng"
    }

    static func mediaInfo(path: String, fileSize: Int64, format: FormatDescription, streams: [StreamDescription]) -> MediaInfo {
        let pictureFormat = isPictureFormat(format.name)
        var video: [VideoStreamInfo] = []
        var audio: [AudioStreamInfo] = []
        var subtitles: [OtherStreamInfo] = []
        var data: [OtherStreamInfo] = []
        var pictures: [AttachedPictureInfo] = []

        for s in streams {
            switch s.mediaType {
            case .video where s.isAttachedPicture:
                pictures.append(AttachedPictureInfo(index: s.index, codec: s.codecName, width: s.width, height: s.height))
            case .video:
                video.append(videoInfo(s))
            case .audio:
                audio.append(audioInfo(s))
            case .subtitle:
                subtitles.append(OtherStreamInfo(index: s.index, codec: s.codecName, language: language(s), title: s.tags["title"]))
            default:
                data.append(OtherStreamInfo(index: s.index, codec: s.codecName, language: language(s), title: s.tags["title"]))
            }
        }

        let kind: MediaKind
        if !video.isEmpty {
            if pictureFormat {
                kind = (video[0].frameCount ?? 1) > 1 && format.name != "image2" ? .animatedImage : .image
            } else {
                kind = .video
            }
        } else {
            kind = .audio
        }

        var container = ContainerInfo(
            format: format.name,
            formatLongName: format.longName,
            duration: format.duration.map { Double($0) / 1_000_000 },
            durationSource: nil,
            durationExact: nil,
            startTime: format.startTime.map { Double($0) / 1_000_000 },
            bitRate: format.bitRate,
            streamCount: streams.count,
            creationTime: format.tags["creation_time"]
        )
        if container.duration != nil {
            switch format.durationEstimation {
            case .fromBitRate: container.durationSource = .bitrateEstimate
            case .fromTimestamps: container.durationSource = .timestamps
            case .fromStreams: container.durationSource = format.headerHadDuration ? .container : .stream
            }
            container.durationExact = container.durationSource != .bitrateEstimate
        }
        if kind == .image {
            // A still has no running time; demuxers that report one invent it from a default frame rate.
            container.duration = nil
            container.durationSource = nil
            container.durationExact = nil
        }

        return MediaInfo(path: path, fileSize: fileSize, kind: kind, probeMode: .fast, container: container,
                         video: video, audio: audio, subtitles: subtitles, data: data,
                         attachedPictures: pictures, warnings: [])
    }

    static func videoInfo(_ s: StreamDescription) -> VideoStreamInfo {
        let width = s.width ?? 0, height = s.height ?? 0
        let sar = s.sampleAspectRatio.map(\.reduced)
        var dar: Ratio?
        if let sar, width > 0, height > 0 {
            let r = Rational(Int32(clamping: Int64(width) * Int64(sar.num)), Int32(clamping: Int64(height) * Int64(sar.den))).reduced
            dar = Ratio(r)
        }
        let rotation = normalisedRotation(s.displayMatrixRotation)
        var displayWidth = width, displayHeight = height
        if let sar, let value = sar.value, value > 0, sar.num != sar.den {
            // 0 when the product is not a number an Int holds: the prober refuses a display size of 0.
            displayWidth = Int(rounding: Double(width) * value) ?? 0
        }
        if rotation == 90 || rotation == 270 { swap(&displayWidth, &displayHeight) }

        let hdr: HDRFormat? = switch s.colorTransfer {
        case "smpte2084": .pq
        case "arib-std-b67": .hlg
        default: nil
        }
        return VideoStreamInfo(
            index: s.index, codec: s.codecName, codecLongName: s.codecLongName, profile: s.profile, level: s.level,
            pixelFormat: s.pixelFormat, bitDepth: s.bitDepth, width: width, height: height,
            sampleAspectRatio: Ratio(sar), displayAspectRatio: dar, rotation: rotation,
            displayWidth: displayWidth, displayHeight: displayHeight,
            averageFrameRate: Ratio(s.averageFrameRate), realFrameRate: Ratio(s.realFrameRate),
            variableFrameRate: frameRatesDisagree(s.averageFrameRate, s.realFrameRate),
            frameCount: s.frameCount, frameCountSource: s.frameCount == nil ? nil : s.frameCountFromIndex ? .index : .header,
            duration: seconds(s.duration, s.timeBase), startTime: seconds(s.startTime, s.timeBase), bitRate: s.bitRate,
            fieldOrder: s.fieldOrder, interlaced: s.fieldOrder.map { $0 != .progressive },
            color: ColorInfo(range: s.colorRange, primaries: s.colorPrimaries, transfer: s.colorTransfer, space: s.colorSpace),
            hdr: hdr, language: language(s), isDefault: s.isDefault
        )
    }

    static func audioInfo(_ s: StreamDescription) -> AudioStreamInfo {
        AudioStreamInfo(
            index: s.index, codec: s.codecName, codecLongName: s.codecLongName, profile: s.profile,
            sampleRate: s.sampleRate, channels: s.channels, channelLayout: s.channelLayout, sampleFormat: s.sampleFormat,
            duration: seconds(s.duration, s.timeBase), startTime: seconds(s.startTime, s.timeBase), bitRate: s.bitRate,
            frameCount: s.frameCount, language: language(s), isDefault: s.isDefault
        )
    }

    /// FFmpeg reports the display matrix as counter-clockwise degrees in (-180, 180]; users and models
    /// think in the clockwise turn that shows the picture upright, one of 0/90/180/270.
    static func normalisedRotation(_ counterClockwise: Double?) -> Int {
        guard let ccw = counterClockwise, ccw.isFinite else { return 0 }
        guard let clockwise = Int(rounding: -ccw) else { return 0 }
        let quarter = ((clockwise % 360 + 360) % 360 + 45) / 90
        return (quarter * 90) % 360
    }

    /// Equal steps between timestamps, within one tick (millisecond time bases round 33.37 ms to
    /// 33 or 34) and 1 %, mean a constant frame rate.
    static func isVariable(_ summary: IndexSummary) -> Bool? {
        guard let lo = summary.minStep, let hi = summary.maxStep else { return nil }
        return hi - lo > max(1, lo / 100)
    }

    /// Without timestamps to look at: a stream whose average rate is far from its base rate has frames
    /// of differing lengths.
    static func frameRatesDisagree(_ average: Rational?, _ real: Rational?) -> Bool? {
        guard let a = average?.value, let r = real?.value, a > 0, r > 0 else { return nil }
        return abs(a - r) / r > 0.01
    }

    static func seconds(_ ticks: Int64?, _ timeBase: Rational) -> Double? {
        guard let ticks, let tb = timeBase.value else { return nil }
        return Double(ticks) * tb
    }

    static func language(_ s: StreamDescription) -> String? {
        guard let lang = s.tags["language"], lang != "und" else { return nil }
        return lang
    }

    static func warnings(for info: MediaInfo) -> [String] {
        var warnings: [String] = []
        if info.kind == .video || info.kind == .audio {
            switch info.container.durationSource {
            case nil: warnings.append("duration unknown: the container does not state it (try --accurate)")
            case .bitrateEstimate?: warnings.append("duration is an estimate from the bit rate (try --accurate)")
            default: break
            }
        }
        if let v = info.primaryVideo, v.variableFrameRate == true {
            warnings.append("variable frame rate: some models expect a constant rate")
        }
        return warnings
    }
}
