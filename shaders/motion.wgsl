// The motion plane (src/preprocess/motion.rs, which says how): each frame's
// luma averaged in integers over the cells of a motion_w x motion_h grid
// (display orientation), all columns of a cell on up to MOTION_ROWS rows
// spread over it, the mean rounded half up. One invocation per output
// sample; z is the frame.

const MOTION_ROWS: u32 = 4u;

fn sample_word(p: PlaneDesc, x: u32, y: u32) -> u32 {
    let i = p.base + y * p.stride + x * p.step;
    if (p.wide == 1u) {
        return (planes[i >> 1u] >> ((i & 1u) * 16u)) & 0xffffu;
    }
    return (planes[i >> 2u] >> ((i & 3u) * 8u)) & 0xffu;
}

// [start, end) of cell i of `cells` over `len` samples (cell_bounds).
fn cell_bounds(i: u32, cells: u32, len: u32) -> vec2<u32> {
    let start = min(i * len / cells, len - 1u);
    let end = min(max((i + 1u) * len / cells, start + 1u), len);
    return vec2<u32>(start, end);
}

@compute @workgroup_size(8, 8, 1)
fn motion_plane(@builtin(global_invocation_id) id: vec3<u32>) {
    let w = params.motion_w;
    let h = params.motion_h;
    if (id.z >= params.frames || id.x >= w || id.y >= h) {
        return;
    }
    let f = frames[id.z];
    let luma = f.planes[0];
    var sw = w;
    var sh = h;
    if (turned(f.rotation)) {
        sw = h;
        sh = w;
    }
    let s = source_xy(f.rotation, id.x, id.y, w, h);
    let cx = cell_bounds(s.x, sw, luma.width);
    let cy = cell_bounds(s.y, sh, luma.height);
    let n = min(MOTION_ROWS, cy.y - cy.x);
    var sum = 0u;
    for (var r = 0u; r < n; r++) {
        let y = cy.x + (2u * r + 1u) * (cy.y - cy.x) / (2u * n);
        for (var x = cx.x; x < cx.y; x++) {
            sum += sample_word(luma, x, y);
        }
    }
    let count = (cx.y - cx.x) * n;
    motion[id.z * w * h + id.y * w + id.x] = (sum + count / 2u) / count;
}
