// Shared by every preprocessing kernel: the Rust side prepends this file to
// each kernel file before compiling it (WGSL has no #include). The structs
// are mirrored in src/preprocess/gpu.rs (`#[repr(C)]`, explicit padding).

// One plane, or one channel of an interleaved plane: sample (x, y) is
// sample number base + y * stride + x * step of the planes buffer.
struct PlaneDesc {
    base: u32,
    stride: u32,
    step: u32,
    width: u32,
    height: u32,
    wide: u32, // 1: 16-bit samples (two per word), 0: 8-bit (four per word)
    _pad0: u32,
    _pad1: u32,
}

struct FrameDesc {
    planes: array<PlaneDesc, 3>,         // Y, Cb, Cr
    colour_rows: array<vec4<f32>, 3>,    // R, G, B rows applied to (Y, Cb, Cr)
    colour_norm: vec4<f32>,              // luma scale, luma offset, chroma scale, chroma offset
    model_place: vec4<u32>,              // letterbox x, y, width, height (display orientation)
    rotation: u32,                       // clockwise degrees to turn upright
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

struct Params {
    frames: u32,
    stage: u32,        // 0: model input content, 1: thumbnail
    model_side: u32,
    thumb_w: u32,
    thumb_h: u32,
    rgb_stride: u32,   // floats per frame in the RGB scratch buffer
    motion_w: u32,     // the motion plane's size (display orientation)
    motion_h: u32,
    mean: vec4<f32>,
    deviation: vec4<f32>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> planes: array<u32>;
@group(0) @binding(2) var<storage, read> frames: array<FrameDesc>;
@group(0) @binding(3) var<storage, read_write> rgb: array<f32>;
@group(0) @binding(4) var<storage, read_write> model: array<f32>;
@group(0) @binding(5) var<storage, read_write> thumb_rgb: array<u32>;
@group(0) @binding(6) var<storage, read_write> thumb_hsv: array<f32>;
@group(0) @binding(7) var<storage, read_write> histogram: array<atomic<u32>>;
@group(0) @binding(8) var<storage, read_write> motion: array<u32>;

const HISTOGRAM_BINS: u32 = 128u;

fn sample_at(p: PlaneDesc, x: u32, y: u32) -> f32 {
    let i = p.base + y * p.stride + x * p.step;
    if (p.wide == 1u) {
        return f32((planes[i >> 1u] >> ((i & 1u) * 16u)) & 0xffffu);
    }
    return f32((planes[i >> 2u] >> ((i & 3u) * 8u)) & 0xffu);
}

// Exact area average of the plane over output pixel (ox, oy) of ow x oh.
fn area_average(p: PlaneDesc, ox: u32, oy: u32, ow: u32, oh: u32) -> f32 {
    let sx = f32(p.width) / f32(ow);
    let sy = f32(p.height) / f32(oh);
    let ax = f32(ox) * sx;
    let bx = f32(ox + 1u) * sx;
    let ay = f32(oy) * sy;
    let by = f32(oy + 1u) * sy;
    let x0 = u32(floor(ax));
    let x1 = min(u32(ceil(bx)), p.width);
    let y0 = u32(floor(ay));
    let y1 = min(u32(ceil(by)), p.height);
    var sum = 0.0;
    for (var y = y0; y < y1; y++) {
        let wy = min(by, f32(y + 1u)) - max(ay, f32(y));
        var row = 0.0;
        for (var x = x0; x < x1; x++) {
            let wx = min(bx, f32(x + 1u)) - max(ax, f32(x));
            row += wx * sample_at(p, x, y);
        }
        sum += wy * row;
    }
    return sum / ((bx - ax) * (by - ay));
}

fn to_rgb(f: FrameDesc, y: f32, cb: f32, cr: f32) -> vec3<f32> {
    let n = f.colour_norm;
    let v = vec3<f32>(y * n.x + n.y, cb * n.z + n.w, cr * n.z + n.w);
    let r = dot(f.colour_rows[0].xyz, v);
    let g = dot(f.colour_rows[1].xyz, v);
    let b = dot(f.colour_rows[2].xyz, v);
    return clamp(vec3<f32>(r, g, b), vec3<f32>(0.0), vec3<f32>(1.0));
}

// The source-orientation pixel shown at display position (x, y) of a w x h
// display image turned `rotation` degrees clockwise.
fn source_xy(rotation: u32, x: u32, y: u32, w: u32, h: u32) -> vec2<u32> {
    switch rotation {
        case 90u: { return vec2<u32>(y, w - 1u - x); }
        case 180u: { return vec2<u32>(w - 1u - x, h - 1u - y); }
        case 270u: { return vec2<u32>(h - 1u - y, x); }
        default: { return vec2<u32>(x, y); }
    }
}

fn turned(rotation: u32) -> bool {
    return rotation == 90u || rotation == 270u;
}

// Display-orientation size of the current stage's target for frame f.
fn display_size(f: FrameDesc) -> vec2<u32> {
    if (params.stage == 0u) {
        return f.model_place.zw;
    }
    return vec2<u32>(params.thumb_w, params.thumb_h);
}

// The same size in source orientation.
fn source_size(f: FrameDesc) -> vec2<u32> {
    let d = display_size(f);
    if (turned(f.rotation)) {
        return d.yx;
    }
    return d;
}
