use burn::tensor::{Tensor, TensorData};
use matchcut::embed::Embedder;
use matchcut::media::{DecodeMode, Decoder};
use matchcut::preprocess::{self, Backend, Preprocessor, StreamFacts};
use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = Path::new(&args[1]);
    let mut dec = Decoder::probe_and_open(path, DecodeMode::Full).unwrap();
    let info = dec.info().clone();
    let emb = Embedder::new(burn::tensor::Device::flex()).unwrap();
    let mut pre = Preprocessor::new(matchcut::embed::preprocess_config(), Backend::Cpu);
    for a in &args[2..] {
        let n: u64 = a.parse().unwrap();
        let f = dec.seek_frame(n).unwrap();
        let conv = preprocess::supported(&f.frame).unwrap();
        let view = preprocess::view(conv.as_ref().unwrap_or(&f.frame), StreamFacts::of(&info)).unwrap();
        let input = pre.process(&[view]).model_input.clone();
        let t = Tensor::<4>::from_data(TensorData::new(input, [1, 3, 224, 224]), emb.device());
        let logits: Vec<f32> = emb.model().forward(t).into_data().to_vec::<f32>().unwrap();
        let m = logits.iter().cloned().fold(f32::MIN, f32::max);
        let e: Vec<f32> = logits.iter().map(|l| (l - m).exp()).collect();
        let s: f32 = e.iter().sum();
        let mut idx: Vec<usize> = (0..1000).collect();
        idx.sort_by(|&x, &y| e[y].total_cmp(&e[x]));
        let text: f32 = [916usize, 917, 918, 919, 921, 922, 549, 446, 692, 664, 681]
            .iter().map(|&i| e[i] / s).sum();
        println!("{n}: text={text:.3} top: {}", idx[..5].iter().map(|&i| format!("{i}:{:.2}", e[i] / s)).collect::<Vec<_>>().join(" "));
    }
}
