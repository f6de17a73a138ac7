// The block search of motion estimation (src/motion/blocks.rs, which says
// how): for each 8x8 block of a step's earlier motion plane, the zero-mean
// sum of squared differences against the later plane at every offset of a
// 9x9 window around the step's global shift, in integers. One invocation
// per (step, block, offset); costs laid out [step][block][offset].

struct BlockParams {
    steps: u32,
    blocks: u32,
    width: u32,
    height: u32,
}

// Mirrors StepDesc in src/motion/blocks.rs.
struct StepDesc {
    a: u32,
    b: u32,
    gx: i32,
    gy: i32,
    shift: u32,
}

@group(0) @binding(0) var<uniform> params: BlockParams;
// The planes, one word per sample, one plane after another.
@group(0) @binding(1) var<storage, read> samples: array<u32>;
@group(0) @binding(2) var<storage, read> steps: array<StepDesc>;
@group(0) @binding(3) var<storage, read> origins: array<vec2<u32>>;
@group(0) @binding(4) var<storage, read_write> costs: array<u32>;

const BLOCK: u32 = 8u;
const REACH: i32 = 4;
const SIDE: u32 = 9u;
const OFFSETS: u32 = 81u;
const INVALID: u32 = 0xffffffffu;
const WORKGROUP: u32 = 64u;

@compute @workgroup_size(64, 1, 1)
fn block_costs(
    @builtin(global_invocation_id) id: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let i = id.x + id.y * groups.x * WORKGROUP;
    if (i >= params.steps * params.blocks * OFFSETS) {
        return;
    }
    let o = i % OFFSETS;
    let block = (i / OFFSETS) % params.blocks;
    let step = steps[i / (OFFSETS * params.blocks)];
    let origin = origins[block];
    let bx = i32(origin.x) + step.gx + i32(o % SIDE) - REACH;
    let by = i32(origin.y) + step.gy + i32(o / SIDE) - REACH;
    if (bx < 0 || by < 0 || u32(bx) + BLOCK > params.width || u32(by) + BLOCK > params.height) {
        costs[i] = INVALID;
        return;
    }
    let size = params.width * params.height;
    let pa = step.a * size + origin.y * params.width + origin.x;
    let pb = step.b * size + u32(by) * params.width + u32(bx);
    var sum_a = 0u;
    var sum_b = 0u;
    for (var y = 0u; y < BLOCK; y++) {
        for (var x = 0u; x < BLOCK; x++) {
            sum_a += samples[pa + y * params.width + x] >> step.shift;
            sum_b += samples[pb + y * params.width + x] >> step.shift;
        }
    }
    // The difference of the means, rounded half up (mean_difference).
    let m = i32((sum_a + 65568u - sum_b) / 64u) - 1024;
    var cost = 0u;
    for (var y = 0u; y < BLOCK; y++) {
        for (var x = 0u; x < BLOCK; x++) {
            let va = i32(samples[pa + y * params.width + x] >> step.shift);
            let vb = i32(samples[pb + y * params.width + x] >> step.shift);
            let d = va - vb - m;
            cost += u32(d * d);
        }
    }
    costs[i] = cost;
}
