/// The catalog that ships with preflight: real fal endpoints and their published input limits, from
/// fal's generated input schemas and model pages as seen in late 2026 (../shared/model-limits.md).
/// Format: docs/catalog-format.md. A user catalog in the config folder corrects or extends it.
/// Kept in a Swift string rather than a resource file so a copied binary still carries it.
enum BundledCatalog {
    static let yaml = #"""
catalog: 1
models:
  # Kling O1 video edit family: one published limit line for all three endpoints.
  - id: fal-ai/kling-video/o1/video-to-video/edit
    name: Kling O1 video edit
    category: video-to-video
    source: {ref: "fal OpenAPI input schema, video_url description (structured limit line)", url: "https://fal.ai/models/fal-ai/kling-video/o1/video-to-video/edit/api", date: "2026-11"}
    media:
      - field: video_url
        kind: video
        require:
          formats: [mp4, mov]
          max_file_size: 200 MB
          min_width: 720
          min_height: 720
          max_width: 2160
          max_height: 2160
          min_duration: 3.0
          max_duration: 10.05
          min_fps: 24
          max_fps: 60
          download_timeout: 30
    payload:
      fields:
        - {name: prompt, type: string, required: true}
        - {name: video_url, type: string, required: true}
  - id: fal-ai/kling-video/o1/standard/video-to-video/edit
    extends: fal-ai/kling-video/o1/video-to-video/edit
    name: Kling O1 standard video edit
    source: {ref: "fal OpenAPI input schema, video_url description (structured limit line)", url: "https://fal.ai/models/fal-ai/kling-video/o1/standard/video-to-video/edit/api", date: "2026-11"}
    price: {amount: 0.126, unit: second_of_output, currency: USD, duration_from: input, source: {ref: "a copy of fal's pricing data", date: "2026-11"}}
  - id: fal-ai/kling-video/o1/video-to-video/reference
    extends: fal-ai/kling-video/o1/video-to-video/edit
    name: Kling O1 video reference
    source: {ref: "fal OpenAPI input schema, video_url description (structured limit line)", url: "https://fal.ai/models/fal-ai/kling-video/o1/video-to-video/reference/api", date: "2026-11"}

  - id: fal-ai/kling-video/o1/image-to-video
    name: Kling O1 image to video
    category: image-to-video
    source: {ref: "fal OpenAPI input schema, start_image_url description (structured limit line)", url: "https://fal.ai/models/fal-ai/kling-video/o1/image-to-video/api", date: "2026-11"}
    media:
      - field: start_image_url
        kind: image
        require: {max_file_size: 10 MB, min_width: 300, min_height: 300, min_aspect_ratio: 0.40, max_aspect_ratio: 2.50, download_timeout: 20}
    payload:
      fields:
        - {name: prompt, type: string, required: true}

  - id: fal-ai/kling-video/o3/pro/video-to-video/edit
    name: Kling O3 pro video edit
    category: video-to-video
    source: {ref: "fal model page and input schema", url: "https://fal.ai/models/fal-ai/kling-video/o3/pro/video-to-video/edit/api", date: "2026-11"}
    media:
      - field: video_url
        kind: video
        require: {formats: [mp4, mov], max_file_size: 200 MB, min_width: 720, min_height: 720, max_width: 3840, max_height: 3840, min_duration: 3, max_duration: 15}
    payload:
      fields:
        - {name: prompt, type: string, required: true}
  - id: fal-ai/kling-video/o3/standard/video-to-video/edit
    extends: fal-ai/kling-video/o3/pro/video-to-video/edit
    name: Kling O3 standard video edit
    source: {ref: "fal model page and input schema", url: "https://fal.ai/models/fal-ai/kling-video/o3/standard/video-to-video/edit/api", date: "2026-11"}

  - id: fal-ai/kling-video/v3/turbo/pro/image-to-video
    name: Kling 3 turbo pro image to video
    category: image-to-video
    source: {ref: "fal model page and input schema", url: "https://fal.ai/models/fal-ai/kling-video/v3/turbo/pro/image-to-video/api", date: "2026-11"}
    media:
      - field: image_url
        kind: image
        require: {formats: [jpg, jpeg, png], max_file_size: 50 MB, min_width: 300, min_height: 300, min_aspect_ratio: 0.4, max_aspect_ratio: 2.5}
    payload:
      fields:
        - {name: prompt, type: string, required: true}

  - id: fal-ai/kling-video/video-to-audio
    name: Kling video to audio
    category: video-to-audio
    source: {ref: "fal model page and input schema", url: "https://fal.ai/models/fal-ai/kling-video/video-to-audio/api", date: "2026-11"}
    media:
      - field: video_url
        kind: video
        require: {formats: [mp4, mov], max_file_size: 100 MB, min_duration: 3.0, max_duration: 20.0}

  - id: fal-ai/kling-video/lipsync/text-to-video
    name: Kling lip sync (text to video)
    category: lip-sync
    source: {ref: "fal model page and input schema", url: "https://fal.ai/models/fal-ai/kling-video/lipsync/text-to-video/api", date: "2026-11"}
    media:
      - field: video_url
        kind: video
        require: {formats: [mp4, mov], max_file_size: 100 MB, min_duration: 2, max_duration: 60, resolutions: ["720p", "1080p"], min_width: 720, min_height: 720, max_width: 1920, max_height: 1920}
    payload:
      fields:
        - {name: text, type: string, required: true}

  - id: fal-ai/kling-video/v2.6/pro/motion-control
    name: Kling 2.6 pro motion control
    category: video-to-video
    source: {ref: "fal model page and input schema", url: "https://fal.ai/models/fal-ai/kling-video/v2.6/pro/motion-control/api", date: "2026-11"}
    notes: "The video limit depends on character_orientation: 10 s for image, 30 s for video."
    media:
      - field: video_url
        kind: video
        require: {max_duration: 30}
        when:
          - when: {field: character_orientation, equals: image}
            require: {max_duration: 10}
    payload:
      fields:
        - {name: character_orientation, type: string, enum: [image, video]}

  - id: fal-ai/sync-lipsync/react-1
    name: Sync React-1 lip sync
    category: lip-sync
    source: {ref: "fal model page and input schema", url: "https://fal.ai/models/fal-ai/sync-lipsync/react-1/api", date: "2026-11"}
    media:
      - field: video_url
        kind: video
        require: {max_duration: 15}
      - field: audio_url
        kind: audio
        require: {max_duration: 15}

  - id: fal-ai/wan/v2.7/edit-video
    name: Wan 2.7 video edit
    category: video-to-video
    source: {ref: "fal model page and input schema", url: "https://fal.ai/models/fal-ai/wan/v2.7/edit-video/api", date: "2026-11"}
    media:
      - field: video_url
        kind: video
        require: {formats: [mp4, mov], max_file_size: 100 MB, min_duration: 2, max_duration: 10}
    payload:
      fields:
        - {name: prompt, type: string, required: true}

  - id: fal-ai/wan/v2.7/image-to-video
    name: Wan 2.7 image to video
    category: image-to-video
    source: {ref: "fal model page and input schema", url: "https://fal.ai/models/fal-ai/wan/v2.7/image-to-video/api", date: "2026-11"}
    media:
      - field: image_url
        kind: image
      - field: video_url
        kind: video
        required: false
        require: {formats: [mp4, mov], max_file_size: 100 MB, min_duration: 2, max_duration: 10}
    payload:
      fields:
        - {name: prompt, type: string, required: true}

  - id: fal-ai/wan-vace-14b
    name: Wan VACE 14B
    category: video-to-video
    source: {ref: "fal model page and input schema", url: "https://fal.ai/models/fal-ai/wan-vace-14b/api", date: "2026-11"}
    notes: "Output resolution is limited to 720p."
    media:
      - field: video_url
        kind: video
        required: false
    payload:
      fields:
        - {name: prompt, type: string, required: true}
        - {name: num_frames, type: integer, minimum: 81, maximum: 241}
        - {name: frames_per_second, type: integer, minimum: 5, maximum: 30}

  - id: wan/v2.6/reference-to-video/flash
    name: Wan 2.6 reference to video (flash)
    provider: fal
    category: reference-to-video
    source: {ref: "fal model page and input schema", url: "https://fal.ai/models/wan/v2.6/reference-to-video/flash/api", date: "2026-11"}
    media:
      - field: video_urls
        kind: video_list
        required: false
        require: {formats: [mp4, mov], min_duration: 1, max_duration: 30, max_file_size: 100 MB, min_fps: 16}
      - field: image_urls
        kind: image_list
        required: false
        require: {min_width: 240, min_height: 240, max_width: 5000, max_height: 5000, max_file_size: 10 MB}
    payload:
      fields:
        - {name: prompt, type: string, required: true}

  - id: bytedance/seedance-2.0/reference-to-video
    name: Seedance 2.0 reference to video
    category: reference-to-video
    source: {ref: "fal model page and input schema", url: "https://fal.ai/models/bytedance/seedance-2.0/reference-to-video/api", date: "2026-11"}
    notes: "Reference videos: at most 3, 2-15 s combined, under 50 MB in all; the picture-size range is published as approximate."
    media:
      - field: video_urls
        kind: video_list
        required: false
        require: {max_count: 3, max_total_duration: 15, max_total_file_size: 50 MB, min_pixels: 409600, max_pixels: 927408, advisory: [min_pixels, max_pixels]}
    payload:
      fields:
        - {name: prompt, type: string, required: true}

  - id: bytedance/seedance-2.0/image-to-video
    name: Seedance 2.0 image to video
    category: image-to-video
    source: {ref: "fal model page and input schema", url: "https://fal.ai/models/bytedance/seedance-2.0/image-to-video/api", date: "2026-11"}
    media:
      - field: image_url
        kind: image
        require: {formats: [jpg, jpeg, png, webp], max_file_size: 30 MB}
    payload:
      fields:
        - {name: prompt, type: string, required: true}

  - id: fal-ai/bytedance/dreamactor/v2
    name: DreamActor v2
    category: video-to-video
    source: {ref: "fal model page and input schema", url: "https://fal.ai/models/fal-ai/bytedance/dreamactor/v2/api", date: "2026-11"}
    media:
      - field: image_url
        kind: image
        require: {formats: [jpg, jpeg, png], max_file_size: 4.7 MB, min_width: 480, min_height: 480, max_long_side: 1920, max_pixels: 2073600}
      - field: video_url
        kind: video
        require: {formats: [mp4, mov, webm], max_duration: 30, min_width: 200, min_height: 200, max_long_side: 2048, max_pixels: 2949120}

  - id: fal-ai/veo3.1/image-to-video
    name: Veo 3.1 image to video
    category: image-to-video
    source: {ref: "fal model page and input schema", url: "https://fal.ai/models/fal-ai/veo3.1/image-to-video/api", date: "2026-11"}
    notes: "Images that are not 16:9 or 9:16 are cropped by the model."
    media:
      - field: image_url
        kind: image
        require: {min_short_side: 720, aspect_ratios: ["16:9", "9:16"], advisory: [aspect_ratios]}
    payload:
      fields:
        - {name: prompt, type: string, required: true}
        - {name: duration, type: string, enum: ["4s", "6s", "8s"], default: "8s"}

  - id: fal-ai/veo2/image-to-video
    name: Veo 2 image to video
    category: image-to-video
    source: {ref: "fal model page and input schema", url: "https://fal.ai/models/fal-ai/veo2/image-to-video/api", date: "2026-11"}
    media:
      - field: image_url
        kind: image
        require: {max_file_size: 8 MB}
    payload:
      fields:
        - {name: prompt, type: string, required: true}

  - id: luma/agent/ray/v3.2/reframe
    name: Luma Ray 3.2 reframe
    category: video-to-video
    source: {ref: "fal model page and input schema", url: "https://fal.ai/models/luma/agent/ray/v3.2/reframe/api", date: "2026-11"}
    media:
      - field: video_url
        kind: video
        require: {max_duration: 30}

  - id: fal-ai/kling-video/v1.6/pro/image-to-video
    name: Kling 1.6 pro image to video
    category: image-to-video
    source: {ref: "fal model page and input schema", url: "https://fal.ai/models/fal-ai/kling-video/v1.6/pro/image-to-video/api", date: "2026-11"}
    media:
      - field: image_url
        kind: image
    payload:
      complete: true
      fields:
        - {name: prompt, type: string, required: true}
        - {name: image_url, type: string, required: true}
        - {name: duration, type: string, enum: ["5", "10"], default: "5"}
        - {name: aspect_ratio, type: string, enum: ["16:9", "9:16", "1:1"], default: "16:9"}
        - {name: negative_prompt, type: string}
        - {name: cfg_scale, type: number, minimum: 0, maximum: 1, default: 0.5}
        - {name: tail_image_url, type: string}

  # Models that publish no media limits: listed with what is known; the rest is learned from rejections.
  - id: fal-ai/mmaudio-v2
    name: MMAudio v2
    category: video-to-audio
    source: {ref: "fal model page (no media limits published)", url: "https://fal.ai/models/fal-ai/mmaudio-v2/api", date: "2026-11"}
    media:
      - {field: video_url, kind: video}
    payload:
      fields:
        - {name: prompt, type: string, required: true}
  - id: fal-ai/sync-lipsync/v2
    name: Sync lip sync v2
    category: lip-sync
    source: {ref: "fal model page (no media limits published)", url: "https://fal.ai/models/fal-ai/sync-lipsync/v2/api", date: "2026-11"}
    media:
      - {field: video_url, kind: video}
      - {field: audio_url, kind: audio}
  - id: fal-ai/topaz/upscale/video
    name: Topaz video upscale
    category: upscale
    source: {ref: "fal model page (no media limits published)", url: "https://fal.ai/models/fal-ai/topaz/upscale/video/api", date: "2026-11"}
    media:
      - {field: video_url, kind: video}
  - id: fal-ai/seedvr/upscale/video
    name: SeedVR video upscale
    category: upscale
    source: {ref: "fal model page (no media limits published)", url: "https://fal.ai/models/fal-ai/seedvr/upscale/video/api", date: "2026-11"}
    media:
      - {field: video_url, kind: video}
  - id: fal-ai/luma-dream-machine/ray-2/modify
    name: Luma Ray 2 modify
    category: video-to-video
    source: {ref: "fal model page (no media limits published)", url: "https://fal.ai/models/fal-ai/luma-dream-machine/ray-2/modify/api", date: "2026-11"}
    media:
      - {field: video_url, kind: video}
"""#
}
