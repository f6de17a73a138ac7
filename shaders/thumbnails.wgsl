// Stage 2 for shot detection: each thumbnail pixel as packed 8-bit RGB, as
// HSV, and counted into the frame's joint HSV histogram.

// Halves round up by this margin (to_byte in cpu.rs).
const ROUNDING_MARGIN: f32 = 0.000244140625;

// Below this spread a pixel is grey with hue 0 (GREY_SPREAD in cpu.rs).
const GREY_SPREAD: f32 = 0.0009765625;

fn rgb_to_hsv(c: vec3<f32>) -> vec3<f32> {
    let mx = max(c.r, max(c.g, c.b));
    let mn = min(c.r, min(c.g, c.b));
    let delta = mx - mn;
    var s = 0.0;
    if (mx > 0.0) {
        s = delta / mx;
    }
    var h = 0.0;
    if (delta >= GREY_SPREAD) {
        if (mx == c.r) {
            let k = (c.g - c.b) / delta;
            h = (k - 6.0 * floor(k / 6.0)) / 6.0;
        } else if (mx == c.g) {
            h = ((c.b - c.r) / delta + 2.0) / 6.0;
        } else {
            h = ((c.r - c.g) / delta + 4.0) / 6.0;
        }
    }
    return vec3<f32>(h, s, mx);
}

// Integer binning of the 8-bit pixel, so both paths bin identically
// (histogram_bin in cpu.rs): 8 hues x 4 saturations x 4 values.
fn histogram_bin(packed: u32) -> u32 {
    let r = i32(packed & 0xffu);
    let g = i32((packed >> 8u) & 0xffu);
    let b = i32((packed >> 16u) & 0xffu);
    let mx = max(r, max(g, b));
    let delta = mx - min(r, min(g, b));
    var hb = 0;
    var sb = 0;
    if (delta > 0) {
        var sixths = 0;
        if (mx == r) {
            sixths = ((g - b) % (6 * delta) + 6 * delta) % (6 * delta);
        } else if (mx == g) {
            sixths = b - r + 2 * delta;
        } else {
            sixths = r - g + 4 * delta;
        }
        hb = min(sixths * 8 / (6 * delta), 7);
        sb = min(delta * 4 / mx, 3);
    }
    let vb = mx * 4 / 256;
    return u32((hb * 4 + sb) * 4 + vb);
}

@compute @workgroup_size(8, 8, 1)
fn thumbnails(@builtin(global_invocation_id) id: vec3<u32>) {
    let w = params.thumb_w;
    let h = params.thumb_h;
    if (id.z >= params.frames || id.x >= w || id.y >= h) {
        return;
    }
    let f = frames[id.z];
    let s = source_xy(f.rotation, id.x, id.y, w, h);
    let src_w = select(w, h, turned(f.rotation));
    let at = id.z * params.rgb_stride + (s.y * src_w + s.x) * 3u;
    let c = vec3<f32>(rgb[at], rgb[at + 1u], rgb[at + 2u]);
    let pixel = id.z * w * h + id.y * w + id.x;
    let bytes = vec3<u32>(clamp(floor(c * 255.0 + 0.5 + ROUNDING_MARGIN), vec3<f32>(0.0), vec3<f32>(255.0)));
    let packed = bytes.r | (bytes.g << 8u) | (bytes.b << 16u);
    thumb_rgb[pixel] = packed;
    let hsv = rgb_to_hsv(c);
    thumb_hsv[pixel * 3u] = hsv.x;
    thumb_hsv[pixel * 3u + 1u] = hsv.y;
    thumb_hsv[pixel * 3u + 2u] = hsv.z;
    atomicAdd(&histogram[id.z * HISTOGRAM_BINS + histogram_bin(packed)], 1u);
}
