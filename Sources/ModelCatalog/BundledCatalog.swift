/// The catalog that ships with preflight: real fal endpoints and their published input limits, from
/// fal's generated input schemas and model pages as seen in late 2026 (../shared/model-limits.md).
/// Format: docs/catalog-format.md. A user catalog in the config folder corrects or extends it.
/// Kept in a Swift string rather than a resource file so a copied binary still carries it.
enum BundledCatalog {
    static let yaml = #"""
catalog: 1
# Dates: "2026-11" for limits read in November 2026; "2026-11-22" for the corrections of issue 12
# (each corrected limit names its page under `sources:`). Prices: fal's model pages (llms.txt), late 2026.
models:
  # Kling O1 video edit family: one published limit line for all four endpoints.
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
  - id: fal-ai/kling-video/o1/standard/video-to-video/reference
    extends: fal-ai/kling-video/o1/video-to-video/edit
    name: Kling O1 standard video reference
    source: {ref: "fal OpenAPI input schema, video_url description (structured limit line)", url: "https://fal.ai/models/fal-ai/kling-video/o1/standard/video-to-video/reference/api", date: "2026-11-22"}

  - id: fal-ai/kling-video/o1/image-to-video
    name: Kling O1 image to video
    category: image-to-video
    source: {ref: "fal OpenAPI input schema, start_image_url description (structured limit line)", url: "https://fal.ai/models/fal-ai/kling-video/o1/image-to-video/api", date: "2026-11"}
    media:
      - field: start_image_url
        kind: image
        require: {max_file_size: 10 MB, min_width: 300, min_height: 300, min_aspect_ratio: 0.40, max_aspect_ratio: 2.50, download_timeout: 20}
      # Correction: the end frame was unchecked; it carries the same limit line as the start frame.
      - field: end_image_url
        kind: image
        required: false
        require: {max_file_size: 10 MB, min_width: 300, min_height: 300, min_aspect_ratio: 0.40, max_aspect_ratio: 2.50, download_timeout: 20}
        source: {ref: "fal OpenAPI input schema, end_image_url description (structured limit line)", url: "https://fal.ai/models/fal-ai/kling-video/o1/image-to-video/api", date: "2026-11-22"}
    payload:
      fields:
        - {name: prompt, type: string, required: true}
  - id: fal-ai/kling-video/o1/standard/image-to-video
    extends: fal-ai/kling-video/o1/image-to-video
    name: Kling O1 standard image to video
    source: {ref: "fal OpenAPI input schema (structured limit lines)", url: "https://fal.ai/models/fal-ai/kling-video/o1/standard/image-to-video/api", date: "2026-11-22"}
    price: {amount: 0.084, unit: second_of_output, duration_from: duration, source: {ref: "fal model page (llms.txt), price", date: "2026-11"}}

  # Correction: 3-15 s and 3840 px belong to o3/4k; O3 pro and standard publish 3-10 s and 720-2160 px.
  - id: fal-ai/kling-video/o3/pro/video-to-video/edit
    name: Kling O3 pro video edit
    category: video-to-video
    source: {ref: "fal model page and input schema", url: "https://fal.ai/models/fal-ai/kling-video/o3/pro/video-to-video/edit/api", date: "2026-11"}
    media:
      - field: video_url
        kind: video
        require: {formats: [mp4, mov], max_file_size: 200 MB, min_width: 720, min_height: 720, max_width: 2160, max_height: 2160, min_duration: 3, max_duration: 10}
        sources:
          max_width: {ref: "fal model page and input schema, compared field by field", url: "https://fal.ai/models/fal-ai/kling-video/o3/pro/video-to-video/edit/api", date: "2026-11-22"}
          max_height: {ref: "fal model page and input schema, compared field by field", url: "https://fal.ai/models/fal-ai/kling-video/o3/pro/video-to-video/edit/api", date: "2026-11-22"}
          max_duration: {ref: "fal model page and input schema, compared field by field", url: "https://fal.ai/models/fal-ai/kling-video/o3/pro/video-to-video/edit/api", date: "2026-11-22"}
    payload:
      fields:
        - {name: prompt, type: string, required: true}
    price: {amount: 0.336, unit: second_of_output, duration_from: input, source: {ref: "fal model page (llms.txt), price", date: "2026-11"}}
  - id: fal-ai/kling-video/o3/standard/video-to-video/edit
    extends: fal-ai/kling-video/o3/pro/video-to-video/edit
    name: Kling O3 standard video edit
    source: {ref: "fal model page and input schema", url: "https://fal.ai/models/fal-ai/kling-video/o3/standard/video-to-video/edit/api", date: "2026-11"}
  - id: fal-ai/kling-video/o3/4k/video-to-video/edit
    name: Kling O3 4K video edit
    category: video-to-video
    source: {ref: "fal model page and input schema, compared field by field", url: "https://fal.ai/models/fal-ai/kling-video/o3/4k/video-to-video/edit/api", date: "2026-11-22"}
    media:
      - field: video_url
        kind: video
        require: {formats: [mp4, mov], max_file_size: 200 MB, min_width: 720, min_height: 720, max_width: 3840, max_height: 3840, min_duration: 3, max_duration: 15}
    payload:
      fields:
        - {name: prompt, type: string, required: true}
    price: {amount: 0.42, unit: second_of_output, duration_from: input, source: {ref: "fal model page (llms.txt), price", date: "2026-11"}}

  # Correction: the prompt is optional.
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
        - {name: prompt, type: string, required: false, description: "optional (corrected 2026-11-22 from the model page)"}
    price: {amount: 0.14, unit: second_of_output, duration_from: duration, source: {ref: "fal model page (llms.txt), price", date: "2026-11"}}
  - id: fal-ai/kling-video/v3/turbo/standard/image-to-video
    extends: fal-ai/kling-video/v3/turbo/pro/image-to-video
    name: Kling 3 turbo standard image to video
    source: {ref: "fal model page and input schema, compared field by field", url: "https://fal.ai/models/fal-ai/kling-video/v3/turbo/standard/image-to-video/api", date: "2026-11-22"}
    price: {amount: 0.112, unit: second_of_output, duration_from: duration, source: {ref: "fal model page (llms.txt), price", date: "2026-11"}}

  - id: fal-ai/kling-video/video-to-audio
    name: Kling video to audio
    category: video-to-audio
    source: {ref: "fal model page and input schema", url: "https://fal.ai/models/fal-ai/kling-video/video-to-audio/api", date: "2026-11"}
    media:
      - field: video_url
        kind: video
        require: {formats: [mp4, mov], max_file_size: 100 MB, min_duration: 3.0, max_duration: 20.0}
    price: {amount: 0.035, unit: video, source: {ref: "fal model page (llms.txt), price", date: "2026-11"}}

  # Correction: voice_id is required and the text holds at most 120 characters.
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
        - {name: text, type: string, required: true, max_length: 120, description: "at most 120 characters (corrected 2026-11-22 from the model page)"}
        - {name: voice_id, type: string, required: true, description: "one of fal's voice ids (required; corrected 2026-11-22 from the model page)"}
    price: {amount: 0.014, unit: second_of_input, minimum_seconds: 5, source: {ref: "fal model page (llms.txt), price", date: "2026-11"}}
  - id: fal-ai/kling-video/lipsync/audio-to-video
    name: Kling lip sync (audio to video)
    category: lip-sync
    source: {ref: "fal model page and input schema, compared field by field", url: "https://fal.ai/models/fal-ai/kling-video/lipsync/audio-to-video/api", date: "2026-11-22"}
    media:
      - field: video_url
        kind: video
        require: {formats: [mp4, mov], max_file_size: 100 MB, min_duration: 2, max_duration: 10, resolutions: ["720p", "1080p"], min_width: 720, min_height: 720, max_width: 1920, max_height: 1920}
      - field: audio_url
        kind: audio
        require: {min_duration: 2, max_duration: 60, max_file_size: 5 MB}
    price: {amount: 0.014, unit: second_of_input, minimum_seconds: 5, source: {ref: "fal model page (llms.txt), price", date: "2026-11"}}

  # Correction: image_url and character_orientation are required.
  - id: fal-ai/kling-video/v2.6/pro/motion-control
    name: Kling 2.6 pro motion control
    category: video-to-video
    source: {ref: "fal model page and input schema", url: "https://fal.ai/models/fal-ai/kling-video/v2.6/pro/motion-control/api", date: "2026-11"}
    notes: "The video limit depends on character_orientation: 10 s for image, 30 s for video."
    media:
      - field: image_url
        kind: image
        source: {ref: "fal model page and input schema, compared field by field", url: "https://fal.ai/models/fal-ai/kling-video/v2.6/pro/motion-control/api", date: "2026-11-22"}
      - field: video_url
        kind: video
        require: {max_duration: 30}
        when:
          - when: {field: character_orientation, equals: image}
            require: {max_duration: 10}
    payload:
      fields:
        - {name: character_orientation, type: string, required: true, enum: [image, video], description: "required (corrected 2026-11-22 from the model page)"}
  - id: fal-ai/kling-video/v2.6/standard/motion-control
    extends: fal-ai/kling-video/v2.6/pro/motion-control
    name: Kling 2.6 standard motion control
    source: {ref: "fal model page and input schema, compared field by field", url: "https://fal.ai/models/fal-ai/kling-video/v2.6/standard/motion-control/api", date: "2026-11-22"}
  - id: fal-ai/kling-video/v3/pro/motion-control
    extends: fal-ai/kling-video/v2.6/pro/motion-control
    name: Kling 3 pro motion control
    source: {ref: "fal model page and input schema, compared field by field", url: "https://fal.ai/models/fal-ai/kling-video/v3/pro/motion-control/api", date: "2026-11-22"}

  # Announced: limits published, API access not yet open.
  - id: kling/v4/video-to-video/edit
    name: Kling 4 video edit (announced)
    category: video-to-video
    source: {ref: "fal model page and input schema, compared field by field", url: "https://fal.ai/models/kling/v4/video-to-video/edit/api", date: "2026-11-22"}
    notes: "API access announced as coming: limits and price as published, not yet callable."
    media:
      - field: video_url
        kind: video
        require: {max_file_size: 300 MB, min_width: 700, min_height: 700, max_width: 4553, max_height: 4553, min_aspect_ratio: 0.40, max_aspect_ratio: 2.50, min_duration: 3.0, max_duration: 30.05, min_fps: 23.9, max_fps: 60.05}
    price: {amount: 0.094, unit: second_of_output, duration_from: input, by_resolution: {"720p": 0.094, "1080p": 0.141}, multipliers: [{factor: 2, reason: "input plus output seconds"}], source: {ref: "fal model page (llms.txt), price", date: "2026-11"}}

  # Correction: emotion is required.
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
    payload:
      fields:
        - {name: emotion, type: string, required: true, enum: [happy, sad, angry, disgusted, surprised, neutral], description: "required (corrected 2026-11-22 from the model page)"}
    price: {amount: 10, unit: minute_of_input, source: {ref: "fal model page (llms.txt), price", date: "2026-11"}}

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
    price: {amount: 0.10, unit: second_of_output, duration_from: input, source: {ref: "fal model page (llms.txt), price", date: "2026-11"}}

  # Correction: every input is optional (image_url too, and the prompt); image_url and video_url
  # are not taken together; image and audio limits were unchecked.
  - id: fal-ai/wan/v2.7/image-to-video
    name: Wan 2.7 image to video
    category: image-to-video
    source: {ref: "fal model page and input schema, compared field by field", url: "https://fal.ai/models/fal-ai/wan/v2.7/image-to-video/api", date: "2026-11-22"}
    media:
      - field: image_url
        kind: image
        required: false
        require: {formats: [jpeg, jpg, png, bmp, webp], max_file_size: 20 MB}
      - field: video_url
        kind: video
        required: false
        require: {formats: [mp4, mov], max_file_size: 100 MB, min_duration: 2, max_duration: 10}
        source: {ref: "fal model page and input schema", url: "https://fal.ai/models/fal-ai/wan/v2.7/image-to-video/api", date: "2026-11"}
      - field: audio_url
        kind: audio
        required: false
        require: {formats: [wav, mp3], min_duration: 2, max_duration: 30, max_file_size: 15 MB}
    rules:
      - {fields: [image_url, video_url], not_together: true}
    payload:
      fields:
        - {name: prompt, type: string, required: false}
    price: {amount: 0.10, unit: second_of_output, duration_from: duration, by_resolution: {"720p": 0.10, "1080p": 0.15}, source: {ref: "fal model page (llms.txt), price", date: "2026-11"}}

  - id: fal-ai/wan/v2.7/reference-to-video
    name: Wan 2.7 reference to video
    category: reference-to-video
    source: {ref: "fal model page and input schema, compared field by field", url: "https://fal.ai/models/fal-ai/wan/v2.7/reference-to-video/api", date: "2026-11-22"}
    media:
      - field: image_urls
        kind: image_list
        required: false
        require: {max_file_size: 20 MB}
      - field: video_urls
        kind: video_list
        required: false
        require: {max_file_size: 100 MB}

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
    price: {amount: 0.08, unit: second_of_output, duration_from: num_frames/frames_per_second, source: {ref: "fal model page (llms.txt), price", date: "2026-11"}}

  # Correction: at most 3 videos, 5 images and 5 references in all; no PNG with alpha.
  - id: wan/v2.6/reference-to-video/flash
    name: Wan 2.6 reference to video (flash)
    provider: fal
    category: reference-to-video
    source: {ref: "fal model page and input schema", url: "https://fal.ai/models/wan/v2.6/reference-to-video/flash/api", date: "2026-11"}
    media:
      - field: video_urls
        kind: video_list
        required: false
        require: {formats: [mp4, mov], min_duration: 1, max_duration: 30, max_file_size: 100 MB, min_fps: 16, max_count: 3}
        sources: {max_count: {ref: "fal model page and input schema, compared field by field", url: "https://fal.ai/models/wan/v2.6/reference-to-video/flash/api", date: "2026-11-22"}}
      - field: image_urls
        kind: image_list
        required: false
        require: {formats: [jpeg, jpg, png, bmp, webp], alpha: forbidden, min_width: 240, min_height: 240, max_width: 5000, max_height: 5000, max_file_size: 10 MB, max_count: 5}
        sources: {formats: {ref: "fal model page and input schema, compared field by field", url: "https://fal.ai/models/wan/v2.6/reference-to-video/flash/api", date: "2026-11-22"}, alpha: {ref: "fal model page and input schema, compared field by field", url: "https://fal.ai/models/wan/v2.6/reference-to-video/flash/api", date: "2026-11-22"}, max_count: {ref: "fal model page and input schema, compared field by field", url: "https://fal.ai/models/wan/v2.6/reference-to-video/flash/api", date: "2026-11-22"}}
    rules:
      - {fields: [video_urls, image_urls], max_count: 5, source: {ref: "fal model page and input schema, compared field by field", url: "https://fal.ai/models/wan/v2.6/reference-to-video/flash/api", date: "2026-11-22"}}
    payload:
      fields:
        - {name: prompt, type: string, required: true}
    price: {amount: 0.10, unit: second_of_output, duration_from: duration, source: {ref: "fal model page (llms.txt), price at 720p", date: "2026-11"}}

  # Correction: combined video length, containers, image and audio counts and sizes, 12 files in all.
  - id: bytedance/seedance-2.0/reference-to-video
    name: Seedance 2.0 reference to video
    category: reference-to-video
    source: {ref: "fal model page and input schema, compared field by field", url: "https://fal.ai/models/bytedance/seedance-2.0/reference-to-video/api", date: "2026-11-22"}
    notes: "Reference videos: at most 3, 2-15 s combined, under 50 MB in all; the picture-size range is published as approximate."
    media:
      - field: video_urls
        kind: video_list
        required: false
        require: {formats: [mp4, mov], max_count: 3, min_total_duration: 2, max_total_duration: 15, max_total_file_size: 50 MB, min_pixels: 409600, max_pixels: 927408, advisory: [min_pixels, max_pixels]}
        advice: {min_pixels: "published as about 640x640", max_pixels: "published as about 834x1112"}
      - field: image_urls
        kind: image_list
        required: false
        require: {max_count: 9, max_file_size: 30 MB}
      - field: audio_urls
        kind: audio_list
        required: false
        require: {formats: [mp3, wav], max_count: 3, max_total_duration: 15, max_file_size: 15 MB}
    rules:
      - {fields: [video_urls, image_urls, audio_urls], max_count: 12}
      - {fields: [audio_urls], requires_any_of: [image_urls, video_urls]}
    payload:
      fields:
        - {name: prompt, type: string, required: true}
    price: {amount: 0.3024, unit: second_of_output, duration_from: duration, multipliers: [{factor: 0.6, when_present: video_urls, reason: "with video inputs"}], source: {ref: "fal model page (llms.txt), price at 720p", date: "2026-11"}}
  - id: bytedance/seedance-2.0/fast/reference-to-video
    extends: bytedance/seedance-2.0/reference-to-video
    name: Seedance 2.0 fast reference to video
    source: {ref: "fal model page and input schema, compared field by field", url: "https://fal.ai/models/bytedance/seedance-2.0/fast/reference-to-video/api", date: "2026-11-22"}
    price: {amount: 0.2419, unit: second_of_output, duration_from: duration, source: {ref: "fal model page (llms.txt), fast tier price at 720p", date: "2026-11"}}

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
    price: {amount: 0.3024, unit: second_of_output, duration_from: duration, source: {ref: "fal model page (llms.txt), Seedance 2.0 price at 720p", date: "2026-11"}}

  # Correction: images above 1920 px are reduced by fal, not refused.
  - id: fal-ai/bytedance/dreamactor/v2
    name: DreamActor v2
    category: video-to-video
    source: {ref: "fal model page and input schema", url: "https://fal.ai/models/fal-ai/bytedance/dreamactor/v2/api", date: "2026-11"}
    media:
      - field: image_url
        kind: image
        require: {formats: [jpg, jpeg, png], max_file_size: 4.7 MB, min_width: 480, min_height: 480, max_long_side: 1920, max_pixels: 2073600, advisory: [max_long_side, max_pixels]}
        sources: {max_long_side: {ref: "fal model page and input schema, compared field by field", url: "https://fal.ai/models/fal-ai/bytedance/dreamactor/v2/api", date: "2026-11-22"}, max_pixels: {ref: "fal model page and input schema, compared field by field", url: "https://fal.ai/models/fal-ai/bytedance/dreamactor/v2/api", date: "2026-11-22"}}
        advice: {max_long_side: "fal reduces larger images to fit 1920 px on the long side", max_pixels: "fal reduces larger images to fit 1920x1080 pixels"}
      - field: video_url
        kind: video
        require: {formats: [mp4, mov, webm], max_duration: 30, min_width: 200, min_height: 200, max_long_side: 2048, max_pixels: 2949120}
    price: {amount: 0.05, unit: second_of_output, duration_from: input, source: {ref: "fal model page (llms.txt), price", date: "2026-11"}}

  # Correction: 720p is a recommendation ("should"), not a rejection.
  - id: fal-ai/veo3.1/image-to-video
    name: Veo 3.1 image to video
    category: image-to-video
    source: {ref: "fal model page and input schema", url: "https://fal.ai/models/fal-ai/veo3.1/image-to-video/api", date: "2026-11"}
    notes: "Images that are not 16:9 or 9:16 are cropped by the model."
    media:
      - field: image_url
        kind: image
        require: {min_short_side: 720, aspect_ratios: ["16:9", "9:16"], advisory: [min_short_side, aspect_ratios]}
        sources: {min_short_side: {ref: "fal model page and input schema, compared field by field", url: "https://fal.ai/models/fal-ai/veo3.1/image-to-video/api", date: "2026-11-22"}}
        advice: {min_short_side: "fal says the image should be 720p or higher; smaller ones are accepted", aspect_ratios: "other shapes are cropped"}
    payload:
      fields:
        - {name: prompt, type: string, required: true}
        - {name: duration, type: string, enum: ["4s", "6s", "8s"], default: "8s"}
    price: {amount: 0.20, unit: second_of_output, duration_from: duration, with_audio: 0.40, source: {ref: "fal model page (llms.txt), price", date: "2026-11"}}

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

  # Correction: prompt and aspect_ratio are required.
  - id: luma/agent/ray/v3.2/reframe
    name: Luma Ray 3.2 reframe
    category: video-to-video
    source: {ref: "fal model page and input schema", url: "https://fal.ai/models/luma/agent/ray/v3.2/reframe/api", date: "2026-11"}
    media:
      - field: video_url
        kind: video
        require: {max_duration: 30}
    payload:
      fields:
        - {name: prompt, type: string, required: true, description: "required (corrected 2026-11-22 from the model page)"}
        - {name: aspect_ratio, type: string, required: true, enum: ["3:4", "4:3", "1:1", "9:16", "16:9", "21:9"], description: "required (corrected 2026-11-22 from the model page)"}
    price: {amount: 0.06, unit: second_of_input, by_resolution: {"540p": 0.06, "720p": 0.12, "1080p": 0.36}, source: {ref: "fal model page (llms.txt), price per source second", date: "2026-11"}}

  - id: fal-ai/kling-video/v1.6/pro/image-to-video
    name: Kling 1.6 pro image to video
    category: image-to-video
    source: {ref: "fal model page and input schema", url: "https://fal.ai/models/fal-ai/kling-video/v1.6/pro/image-to-video/api", date: "2026-11"}
    media:
      - field: image_url
        kind: image
      - {field: tail_image_url, kind: image, required: false}
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
    price: {amount: 0.001, unit: second_of_output, duration_from: input, source: {ref: "fal model page (llms.txt), price", date: "2026-11"}}
  - id: fal-ai/sync-lipsync/v2
    name: Sync lip sync v2
    category: lip-sync
    source: {ref: "fal model page (no media limits published)", url: "https://fal.ai/models/fal-ai/sync-lipsync/v2/api", date: "2026-11"}
    media:
      - {field: video_url, kind: video}
      - {field: audio_url, kind: audio}
    price: {amount: 3, unit: minute_of_input, source: {ref: "fal model page (llms.txt), price", date: "2026-11"}}
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
