mod library;
mod progress;
