mod connect;
mod library;
mod progress;
