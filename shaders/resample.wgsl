// Stage 1: area-average the Y, Cb and Cr planes of each frame onto the
// current stage's target grid (source orientation) and convert to R'G'B'.
// One invocation per output pixel; z is the frame.

@compute @workgroup_size(8, 8, 1)
fn resample(@builtin(global_invocation_id) id: vec3<u32>) {
    if (id.z >= params.frames) {
        return;
    }
    let f = frames[id.z];
    let size = source_size(f);
    if (id.x >= size.x || id.y >= size.y) {
        return;
    }
    let y = area_average(f.planes[0], id.x, id.y, size.x, size.y);
    let cb = area_average(f.planes[1], id.x, id.y, size.x, size.y);
    let cr = area_average(f.planes[2], id.x, id.y, size.x, size.y);
    let c = to_rgb(f, y, cb, cr);
    let at = id.z * params.rgb_stride + (id.y * size.x + id.x) * 3u;
    rgb[at] = c.r;
    rgb[at + 1u] = c.g;
    rgb[at + 2u] = c.b;
}
