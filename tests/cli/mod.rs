mod connect;
mod library;
