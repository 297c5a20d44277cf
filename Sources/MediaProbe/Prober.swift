import MediaIO
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How much a probe reads and decodes.
public struct ProbeOptions: Sendable {
    /// Headers only, or every packet (exact length and frame count; what a length or a price needs).
    public enum Depth: Sendable {
        /// Headers only, then every packet when the headers leave duration or frame count unknown or
        /// estimated. The default: fast on well-formed files, never passes off a guess.
        case auto
        /// Headers only, whatever they say.
        case fast
        /// Always read every packet.
        case accurate
    }

    /// Stream analysis: the quick path (headers and parsers, no decoding) or FFmpeg's full analysis.
    public enum Analysis: Sendable {
        /// The headers and each stream's first packets through FFmpeg's codec parsers where they say
        /// everything FFmpeg's analysis would (MP4/MOV with H.264, HEVC, AV1, ProRes, VP9 or Motion
        /// JPEG, and AAC, PCM, ALAC or Opus); the full analysis for any other file. The default: the
        /// same values, several times faster.
        case quick
        /// Always FFmpeg's full analysis (avformat_find_stream_info), which decodes frames.
        case full
    }

    /// How much of the file is read for lengths and frame counts (headers, or every packet).
    public var depth: Depth
    /// Seconds before giving up on one file; nil for no limit. A decode check (`health`) gets ten
    /// seconds more for every second of media.
    public var timeout: Double?
    /// Which analysis fills the streams' parameters: the quick one where it can vouch for them, or FFmpeg's full one.
    public var analysis: Analysis
    /// Decode the frames too (every one, or samples), and say what did not decode; nil: no decoding.
    public var health: DecodeHealth.Scope?
    /// Decoder threads for the health check; 0 lets FFmpeg choose (one file at a time wants them
    /// all, many files at once want one each).
    public var decodeThreads = 0

    /// `depth` and `analysis` decide how much is read; `timeout` bounds one file; `health` decodes the frames too.
    public init(depth: Depth = .auto, timeout: Double? = 30, analysis: Analysis = .quick, health: DecodeHealth.Scope? = nil) {
        self.depth = depth
        self.timeout = timeout
        self.analysis = analysis
        self.health = health
    }
}

/// Probes one file through libavformat, in-process.
public enum Prober {
    /// Sides larger than this are not real pictures but a corrupt or hostile header.
    public static let maxSide = 32_768

    /// What the file at `path` presents to a model (streams, length, rotation, colour...), or why it cannot be read.
    public static func probe(_ path: String, options: ProbeOptions = ProbeOptions()) throws(ProbeError) -> MediaInfo {
        let size = try fileSize(path)
        let head = FileSniffer.head(path, count: 128)
        var (demuxer, sources) = try open(path, options: options, format: FileSniffer.certainFormat(head))
        let analysisErrors = FFmpegLog.takeErrors()
        let format = demuxer.format
        let streams = demuxer.streams
        guard !streams.isEmpty else {
            throw ProbeError(.notMedia, path: path, message: "no audio, video or picture streams in this \(format.name) file",
                             hint: "Check that it is the file you meant to send.")
        }
        let cutByHeader = cutEvidence(demuxer, fileSize: size, head: head)

        var info = Interpretation.mediaInfo(path: path, fileSize: size, format: format, streams: streams)
        for i in info.video.indices { info.video[i].fieldSource = sources[info.video[i].index] ?? .streamInfo }
        for i in info.audio.indices { info.audio[i].fieldSource = sources[info.audio[i].index] ?? .streamInfo }
        // Data, subtitle or attachment streams alone are nothing a model can take: calling such a
        // file "audio" let it pass checks for audio fields.
        guard !info.video.isEmpty || !info.audio.isEmpty else {
            let kinds = Set(streams.map(\.mediaType.rawValue)).sorted().joined(separator: ", ")
            throw ProbeError(.notMedia, path: path, message: "no audio, video or picture streams in this \(format.name) file (only \(kinds))",
                             hint: "Check that it is the file you meant to send.")
        }
        try checkPictures(info, streams: streams, analysisErrors: analysisErrors, path: path)
        for i in info.video.indices {
            // Only an index with an entry per frame (MP4/MOV) shows every frame's timing; seek
            // indexes (MPEG-PS, Matroska cues) hold keyframes only.
            if let summary = demuxer.indexSummary(stream: info.video[i].index), summary.entryCount > 2,
               Int64(summary.entryCount) == info.video[i].frameCount {
                info.video[i].variableFrameRate = Interpretation.isVariable(summary)
            }
        }

        // Phone photos are stored landscape with an EXIF note saying how to turn them.
        if info.kind == .image, info.primaryVideo?.codec == "mjpeg", let exif = ExifOrientation.read(path), exif.rotation != 0 || exif.mirrored {
            var picture = info.video[0]
            picture.rotation = exif.rotation
            if exif.rotation == 90 || exif.rotation == 270 { (picture.displayWidth, picture.displayHeight) = (picture.displayHeight, picture.displayWidth) }
            info.video[0] = picture
            info.warnings.append("EXIF orientation: shown turned \(exif.rotation)° clockwise" + (exif.mirrored ? " and mirrored" : ""))
        }

        // A file cut short is measured to its last whole frame, whatever the depth (but --fast).
        if needsPacketScan(info, depth: options.depth) || (cutByHeader != nil && options.depth != .fast) {
            let declared = info.container.durationSource == .bitrateEstimate ? nil : info.container.duration
            do {
                // The quick analysis read the first packets: count from the start on a fresh input.
                if !sources.isEmpty { demuxer = try Demuxer(path: path, timeout: options.timeout) }
                let scan = try PacketScan.run(demuxer, fileSize: size, knownCut: cutByHeader != nil)
                scan.apply(to: &info, streams: streams)
                if let evidence = cutByHeader ?? scan.cutEvidence {
                    info.truncation = Truncation(presentDuration: info.duration, declaredDuration: declared,
                                                 cutAt: cutPoint(info, scan: scan, streams: streams), evidence: evidence, incompleteFrom: scan.cutPosition)
                }
            } catch {
                // Measuring was only a bonus in the default mode: a huge file that cannot be read
                // in time still gets what its headers say, marked as such.
                guard options.depth == .auto, error.isInterrupted else { throw explain(error, path: path, timeout: options.timeout) }
                info.warnings.append("reading every packet took longer than \(String(format: "%g", options.timeout ?? 0)) s, so counts and duration are the headers' (try --accurate --timeout 0)")
                if let cutByHeader { info.truncation = Truncation(presentDuration: nil, declaredDuration: declared, cutAt: nil, evidence: cutByHeader) }
            }
        } else if let cutByHeader {
            info.truncation = Truncation(presentDuration: nil, declaredDuration: info.duration, cutAt: nil, evidence: cutByHeader)
        }
        if let t = info.truncation { info.warnings.append("cut short: \(t.lossText) (\(t.evidence))") }
        if let scope = options.health {
            // Decoding a long file takes time in proportion to it: the limit, which is there for files
            // that hang, grows by ten seconds for every second of media.
            let limit = options.timeout.map { $0 + 10 * min(info.duration ?? 0, 1e6) }
            info.decodeHealth = try DecodeHealthCheck(scope: scope, threads: options.decodeThreads, timeout: limit).run(info)
        }
        info.warnings += Interpretation.warnings(for: info)
        return info
    }

    /// Opens the file and learns its streams' parameters: quickly from headers and first packets where
    /// that says everything (the sources say so per stream), else through FFmpeg's full analysis on a
    /// fresh input (empty sources). The quick analysis opens the file with the demuxer FFmpeg's probing
    /// would choose when its first bytes say which (`format`); the full analysis always opens it as
    /// ffprobe does, and is the one to report a file that does not open.
    private static func open(_ path: String, options: ProbeOptions, format: String?) throws(ProbeError) -> (Demuxer, [Int: FieldSource]) {
        do throws(FFmpegError) {
            // Reading every packet anyway: the full analysis costs little beside it.
            if options.analysis == .quick, options.depth != .accurate {
                do throws(FFmpegError) {
                    let demuxer = try Demuxer(path: path, timeout: options.timeout, format: format)
                    if let sources = try demuxer.analyseFirstPackets() { return (demuxer, sources) }
                } catch {
                    if error.isInterrupted { throw error }
                }
            }
            let demuxer = try Demuxer(path: path, timeout: options.timeout)
            try demuxer.findStreamInfo()
            return (demuxer, [:])
        } catch {
            throw explain(error, path: path, timeout: options.timeout)
        }
    }

    static func needsPacketScan(_ info: MediaInfo, depth: ProbeOptions.Depth) -> Bool {
        switch depth {
        case .fast: return false
        case .accurate: return true
        case .auto:
            // Animated pictures only say how many frames they hold once read; they are small.
            if info.kind == .image || info.kind == .animatedImage { return info.container.format != "image2" && !info.container.format.hasSuffix("_pipe") }
            guard let source = info.container.durationSource else { return true }
            return source == .bitrateEstimate
        }
    }

    // MARK: - Failures

    private static func fileSize(_ path: String) throws(ProbeError) -> Int64 {
        var st = stat()
        guard stat(path, &st) == 0 else {
            let code = errno
            switch code {
            case ENOENT, ENOTDIR:
                throw ProbeError(.missing, path: path, message: "no such file", hint: "Check the path.")
            default:
                throw ProbeError(.unreadable, path: path, message: "cannot read: \(String(cString: strerror(code)))",
                                 hint: "Check the file's permissions.")
            }
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            let what = (st.st_mode & S_IFMT) == S_IFDIR ? "a directory" : "not a regular file"
            throw ProbeError(.notAFile, path: path, message: "\(what), not a media file",
                             hint: "Name a media file, or a folder to probe every media file in it.")
        }
        guard access(path, R_OK) == 0 else {
            throw ProbeError(.unreadable, path: path, message: "permission denied", hint: "Check the file's permissions.")
        }
        guard st.st_size > 0 else {
            throw ProbeError(.empty, path: path, message: "the file is empty (0 bytes)",
                             hint: "It was probably not copied or exported completely; copy it again.")
        }
        return Int64(st.st_size)
    }

    static func explain(_ error: FFmpegError, path: String, timeout: Double?) -> ProbeError {
        if error.isInterrupted {
            let limit = timeout.map { String(format: "%g s", $0) } ?? "the time limit"
            return ProbeError(.timeout, path: path, message: "gave up after \(limit)",
                              hint: "The file may be pathological or the disk slow; raise --timeout to wait longer.")
        }
        if let posix = error.posixError {
            switch posix {
            case ENOENT: return ProbeError(.missing, path: path, message: "no such file", hint: "Check the path.")
            case EACCES, EPERM: return ProbeError(.unreadable, path: path, message: "permission denied", hint: "Check the file's permissions.")
            default: break
            }
        }
        let detail = error.detail ?? error.text
        if error.isInvalidData || detail.contains("moov atom not found") {
            // FFmpeg picks a demuxer from the file name when the content matches none; say what it is.
            // Enough bytes to see a credential shape anywhere near the top, not only in the quote.
            let head = FileSniffer.head(path, count: 4096)
            if let text = FileSniffer.describeText(head, path: path) {
                // The advice fits a file named as media (video.mp4 holding an error page), not notes.txt.
                let name = path.split(separator: "/").last ?? ""
                let namedAsMedia = name.contains(".") && MediaFinder.mediaExtensions.contains((name.split(separator: ".").last ?? "").lowercased())
                return ProbeError(.notMedia, path: path, message: "not media: the file holds \(text)",
                                  hint: namedAsMedia ? "A failed download or an error page saved under a media name looks like this; download or export it again."
                                                     : "Only video, audio and images are media; it is passed over.")
            }
            if detail.contains("moov atom not found") && !FileSniffer.looksLikeISOMedia(head) {
                return ProbeError(.notMedia, path: path, message: "not a media file FFmpeg recognises (its name says MP4/MOV, its bytes do not)",
                                  hint: "Check that it is really video, audio or an image.")
            }
        }
        if detail.contains("moov atom not found") {
            return ProbeError(.truncated, path: path,
                              message: "no MP4/MOV index (moov box): the file is truncated or its recording was never finished",
                              hint: "Copy or export it again; a recording cut off mid-way can sometimes be repaired with a tool such as untrunc.")
        }
        if error.isInvalidData {
            return ProbeError(.notMedia, path: path, message: "not a media file FFmpeg recognises (\(detail))",
                              hint: "Check that it is really video, audio or an image and not, say, a web page saved under a media name.")
        }
        return ProbeError(.corrupt, path: path, message: "cannot be read as media: \(error.description)",
                          hint: "The file may be damaged; try exporting it again.")
    }

    /// How the container's own bookkeeping shows the file cut short, if it does: an MP4 index that
    /// points past the end, a Matroska segment or RIFF chunk longer than the file.
    private static func cutEvidence(_ demuxer: Demuxer, fileSize: Int64, head: [UInt8]) -> String? {
        if let end = demuxer.indexedDataEnd, end > fileSize {
            return "the file is \(fileSize) bytes but its index points to data up to byte \(end)"
        }
        if let end = FileSniffer.declaredLength(head), end > fileSize {
            return "the file is \(fileSize) bytes but its header says \(end)"
        }
        return nil
    }

    /// Seconds (from the file's start time) where the first of the primary video and audio streams
    /// runs out of whole frames.
    private static func cutPoint(_ info: MediaInfo, scan: PacketScan, streams: [StreamDescription]) -> Double? {
        let kept = [info.primaryVideo?.index, info.primaryAudio?.index].compactMap { $0 }
        let ends = streams.filter { kept.contains($0.index) }.compactMap { scan.extent(of: $0)?.upperBound }
        return ends.min().map { $0 - (info.container.startTime ?? 0) }
    }

    private static func checkPictures(_ info: MediaInfo, streams: [StreamDescription], analysisErrors: [String], path: String) throws(ProbeError) {
        for s in streams where s.mediaType == .video && !s.isAttachedPicture {
            guard let w = s.width, let h = s.height else {
                let reason = analysisErrors.first.map { " (FFmpeg: \($0))" } ?? ""
                throw ProbeError(.invalidDimensions, path: path,
                                 message: "stream \(s.index) has no usable picture size\(reason)",
                                 hint: "The header is corrupt or hostile; re-export the file.")
            }
            if w > maxSide || h > maxSide {
                throw ProbeError(.invalidDimensions, path: path,
                                 message: "stream \(s.index) claims \(w)x\(h) pixels, beyond any real picture (\(maxSide) px per side)",
                                 hint: "The header is corrupt or hostile; re-export the file.")
            }
        }
        // The pixel aspect stretches the picture as shown, and models judge that: a hostile aspect
        // (1:2147483647, 2147483647:1) makes a picture 0 or billions of pixels wide.
        for v in info.video where v.displayWidth < 1 || v.displayHeight < 1 || v.displayWidth > maxSide || v.displayHeight > maxSide {
            let sar = v.sampleAspectRatio.map { " (pixel aspect \($0.num):\($0.den))" } ?? ""
            throw ProbeError(.invalidDimensions, path: path,
                             message: "stream \(v.index) is \(v.width)x\(v.height) pixels but would be shown \(v.displayWidth)x\(v.displayHeight)\(sar), beyond any real picture (1 to \(maxSide) px per side)",
                             hint: "The pixel aspect in the header is corrupt or hostile; re-export the file.")
        }
    }
}
