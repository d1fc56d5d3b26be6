"""Admin pages. (Organisation, users, plugins, positions and sharing modes are added here.)"""
