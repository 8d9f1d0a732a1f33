//! Compiles `proto/webcast.proto` with protox (pure Rust), so a fresh machine needs no `protoc`.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=proto/webcast.proto");
    let descriptors = protox::compile(["proto/webcast.proto"], ["proto"])?;
    prost_build::Config::new()
        // Message payloads and method names become slices of the frame's buffer instead of one
        // allocation each: the decoder's hot path.
        .bytes([
            ".webcast.BaseProtoMessage",
            ".webcast.CommonMessageData.method",
        ])
        .compile_fds(descriptors)?;
    Ok(())
}
