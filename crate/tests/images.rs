//! Your own images as an RMI batch: PNG (and, in the browser tests, JPEG) of any size, centre-
//! cropped and box-filtered to 32×32, bad files refused by name.

// Native only: these tests write files.
#![cfg(not(target_arch = "wasm32"))]

use evrsnas::images::{batch_from_dir, batch_from_images, decode, to_batch_pixels};

/// A PNG of `width × height` pixels, `channels` bytes each (1 grey, 3 RGB, 4 RGBA).
fn png(width: u32, height: u32, channels: usize, pixel: impl Fn(u32, u32) -> Vec<u8>) -> Vec<u8> {
    let mut out = vec![];
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(match channels {
        1 => png::ColorType::Grayscale,
        3 => png::ColorType::Rgb,
        _ => png::ColorType::Rgba,
    });
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    let data: Vec<u8> = (0..height)
        .flat_map(|y| (0..width).map(move |x| (x, y)))
        .flat_map(|(x, y)| pixel(x, y))
        .collect();
    writer.write_image_data(&data).unwrap();
    drop(writer);
    out
}

/// Channel c of output pixel (x, y) in the channel-major batch bytes.
fn at(pixels: &[u8], c: usize, x: usize, y: usize) -> u8 {
    pixels[c * 1024 + y * 32 + x]
}

#[test]
fn a_32_by_32_image_passes_through_unchanged() {
    let bytes = png(32, 32, 3, |x, y| vec![x as u8 * 7, y as u8 * 5, (x + y) as u8]);
    let pixels = to_batch_pixels(&decode("a.png", &bytes).unwrap());
    for (x, y) in [(0, 0), (31, 0), (5, 17), (31, 31)] {
        assert_eq!(at(&pixels, 0, x, y), x as u8 * 7);
        assert_eq!(at(&pixels, 1, x, y), y as u8 * 5);
        assert_eq!(at(&pixels, 2, x, y), (x + y) as u8);
    }
}

#[test]
fn larger_images_are_box_filtered_and_centre_cropped() {
    // 64 × 64 in 2 × 2 blocks: each output pixel is its block's colour exactly.
    let blocks = png(64, 64, 4, |x, y| vec![(x / 2) as u8 * 8, (y / 2) as u8 * 8, 200, 255]);
    let pixels = to_batch_pixels(&decode("blocks.png", &blocks).unwrap());
    assert_eq!(at(&pixels, 0, 9, 3), 72);
    assert_eq!(at(&pixels, 1, 9, 3), 24);
    assert_eq!(at(&pixels, 2, 31, 31), 200);
    // 80 × 40: the centred 40 × 40 square is kept (columns 20..60), the rest cut off.
    let wide = png(80, 40, 3, |x, _| {
        if (20..60).contains(&x) {
            vec![10, 20, 30]
        } else {
            vec![255, 0, 0]
        }
    });
    let pixels = to_batch_pixels(&decode("wide.png", &wide).unwrap());
    assert!(pixels
        .chunks(1024)
        .zip([10, 20, 30])
        .all(|(plane, v)| plane.iter().all(|&p| p == v)));
    // A half-and-half 45 × 45 image: the two halves' colours, and a blend on the seam only.
    let halves = png(45, 45, 1, |x, _| vec![if x < 22 { 0 } else { 250 }]);
    let pixels = to_batch_pixels(&decode("halves.png", &halves).unwrap());
    assert_eq!(
        (at(&pixels, 0, 0, 0), at(&pixels, 1, 31, 5), at(&pixels, 2, 31, 5)),
        (0, 250, 250)
    );
    let seam = at(&pixels, 0, 15, 7);
    assert!(seam > 0 && seam < 250, "the column over the seam blends: {seam}");
    // Smaller than 32: upscaled, each source pixel a block.
    let small = png(16, 16, 3, |x, y| vec![x as u8, y as u8, 0]);
    let pixels = to_batch_pixels(&decode("small.png", &small).unwrap());
    assert_eq!(
        (at(&pixels, 0, 6, 9), at(&pixels, 0, 7, 9), at(&pixels, 1, 6, 9)),
        (3, 3, 4)
    );
}

#[test]
fn bad_files_are_refused_by_name_and_a_folder_reads_png_and_jpeg() {
    let err = |name: &str, bytes: &[u8]| decode(name, bytes).err().map(|e| e.to_string()).unwrap_or_default();
    assert_eq!(err("notes.png", b"hello"), "notes.png: not a PNG or JPEG image");
    let good = png(40, 30, 3, |_, _| vec![1, 2, 3]);
    assert!(err("cut.png", &good[..good.len() / 2]).starts_with("cut.png: "));
    assert!(err("broken.jpg", &[0xff, 0xd8, 0xff, 0, 1, 2]).starts_with("broken.jpg: "));
    let one = batch_from_images([("a.png", good.as_slice())], "test")
        .unwrap_err()
        .to_string();
    assert!(one.contains("at least 2 images"), "{one}");

    let dir = std::env::temp_dir().join(format!("evrsnas-images-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("b.PNG"), png(50, 70, 3, |x, y| vec![x as u8, y as u8, 9])).unwrap();
    std::fs::write(dir.join("a.png"), &good).unwrap();
    std::fs::write(dir.join("readme.txt"), b"not an image").unwrap();
    let batch = batch_from_dir(&dir).unwrap();
    assert_eq!(batch.names, ["a.png", "b.PNG"]);
    assert_eq!(batch.pixels.len(), 2 * 3 * 1024);
    // The folder's batch is the named files' batch, so the page and the CLI agree.
    let files = [
        ("a.png", good.clone()),
        ("b.PNG", std::fs::read(dir.join("b.PNG")).unwrap()),
    ];
    let same = batch_from_images(files.iter().map(|(n, b)| (*n, b.as_slice())), "x").unwrap();
    assert_eq!(same.pixels_sha256(), batch.pixels_sha256());
    std::fs::write(dir.join("c.jpg"), b"\xff\xd8\xffnot really").unwrap();
    assert!(batch_from_dir(&dir).unwrap_err().to_string().starts_with("c.jpg: "));
    std::fs::remove_dir_all(&dir).unwrap();
}
