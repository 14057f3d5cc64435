"""The Space's own code: the app state and its services (`ui.state`), the pending rows shown
while an upload is judged (`ui.pending`), and the tabs that present them. Only the tabs and
`app.py` import Gradio: state and pending rows are plain Python, tested without a UI."""
