// Stage 2: the letterboxed, normalised model input, packed NCHW:
// model[n][c][y][x] = (rgb - mean[c]) / std[c] inside the letterbox, and
// black, (0 - mean[c]) / std[c], in the bars.

@compute @workgroup_size(8, 8, 1)
fn pack_model(@builtin(global_invocation_id) id: vec3<u32>) {
    let side = params.model_side;
    if (id.z >= params.frames || id.x >= side || id.y >= side) {
        return;
    }
    let f = frames[id.z];
    let place = f.model_place;
    let inside = id.x >= place.x && id.x < place.x + place.z && id.y >= place.y && id.y < place.y + place.w;
    var value = vec3<f32>(0.0);
    if (inside) {
        let s = source_xy(f.rotation, id.x - place.x, id.y - place.y, place.z, place.w);
        let src_w = select(place.z, place.w, turned(f.rotation));
        let at = id.z * params.rgb_stride + (s.y * src_w + s.x) * 3u;
        value = vec3<f32>(rgb[at], rgb[at + 1u], rgb[at + 2u]);
    }
    let normalised = (value - params.mean.xyz) / params.deviation.xyz;
    let plane = side * side;
    let base = id.z * 3u * plane + id.y * side + id.x;
    model[base] = normalised.r;
    model[base + plane] = normalised.g;
    model[base + 2u * plane] = normalised.b;
}
