//! `tierbook`: inspect and classify store exports from the command line.
fn main() {
    println!("tierbook");
}
